import { createHash } from 'node:crypto'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSha256 } from '../../src/platform/web/sha256.js'

// The plain-JavaScript SHA-256 browser builds use for whole-file and index checksums equals node:crypto's, whatever
// the chunking.
describe('the web side of #platform/sha256', () => {
  it('equals node:crypto for any bytes, fed in any chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat({ max: 200 }), { maxLength: 8 }), (bytes, cuts) => {
        const h = createSha256()
        let at = 0
        for (const n of cuts) {
          h.update(bytes.subarray(at, at + n))
          at = Math.min(bytes.length, at + n)
        }
        h.update(bytes.subarray(at))
        return h.hex() === createHash('sha256').update(bytes).digest('hex')
      }),
      { numRuns: 500 },
    )
  })

  it('equals node:crypto on the padding edges and a 3 MiB buffer', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 3 * 1024 * 1024 + 5]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff)
      const h = createSha256()
      h.update(bytes)
      expect(h.hex(), `${n} bytes`).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
  })
})
