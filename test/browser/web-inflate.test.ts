import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { inflateRaw as nodeInflate } from '../../src/platform/node/inflate.js'
import { inflateRaw as webInflate } from '../../src/platform/web/inflate.js'

// Browsers inflate .keras entries with DecompressionStream('deflate-raw'): the same outcomes as Node's zlib.
describe('the web side of #platform/inflate', () => {
  const data = new TextEncoder().encode('{"a": 1, "b": [1, 2, 3]} '.repeat(5000))
  const deflated = new Uint8Array(deflateRawSync(data))

  it('inflates to the data, within a size that fits', async () => {
    for (const inflate of [webInflate, nodeInflate]) {
      const out = await inflate(deflated, data.length)
      expect(out._tag).toBe('Inflated')
      expect(out._tag === 'Inflated' && Buffer.from(out.data).equals(Buffer.from(data))).toBe(true)
    }
  })

  it('says TooLong as soon as the output passes the size', async () => {
    expect(await webInflate(deflated, data.length - 1)).toEqual({ _tag: 'TooLong' })
    expect(await nodeInflate(deflated, data.length - 1)).toEqual({ _tag: 'TooLong' })
  })

  it('says Corrupt on data that is not DEFLATE, or cut short', async () => {
    for (const bad of [new Uint8Array([0xff, 0xff, 0xff, 0xff]), deflated.subarray(0, deflated.length >> 1)]) {
      expect((await webInflate(bad, data.length))._tag).toBe('Corrupt')
      expect((await nodeInflate(bad, data.length))._tag).toBe('Corrupt')
    }
  })
})
