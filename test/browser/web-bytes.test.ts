import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as node from '../../src/platform/node/bytes.js'
import * as web from '../../src/platform/web/bytes.js'

// The byte helpers browser builds use (Uint8Array, TextDecoder) give what Node's (Buffer) give.
describe('the web side of #platform/bytes', () => {
  const small = fc.uint8Array({ maxLength: 60 }).map((b) => b.map((x) => x % 4)) // few values: many matches
  it('indexOfBytes and lastIndexOfBytes find what Buffer finds', () => {
    fc.assert(
      fc.property(
        small,
        fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => x % 4)),
        fc.nat({ max: 70 }),
        (bytes, needle, from) => {
          expect(web.indexOfBytes(bytes, needle, from)).toBe(node.indexOfBytes(bytes, needle, from))
          expect(web.indexOfBytes(bytes, needle)).toBe(node.indexOfBytes(bytes, needle))
          expect(web.lastIndexOfBytes(bytes, needle)).toBe(node.lastIndexOfBytes(bytes, needle))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('utf8OrNull accepts and decodes exactly what Node accepts (a byte order mark kept)', () => {
    const texts = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => new TextEncoder().encode(s))
    fc.assert(
      fc.property(fc.oneof(texts, fc.uint8Array({ maxLength: 30 })), (bytes) => {
        expect(web.utf8OrNull(bytes)).toBe(node.utf8OrNull(bytes))
      }),
      { numRuns: 2000 },
    )
    expect(web.utf8OrNull(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa')
    expect(web.utf8OrNull(new Uint8Array([0xed, 0xa0, 0x80]))).toBeNull() // an encoded surrogate
  })
})
