import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { DTYPES, encodeHeader, encodeSafetensorsOrThrow, safetensorsByteLength } from '../../src/tensors/index.js'
import { compareCodePoints } from '../../src/tensors/header.js'
import { concat, metadata, tensorSet } from './arbitraries.js'

const f32 = new Float32Array([0, 1, 2, 3, 4, 5])

describe('safetensors file layout', () => {
  // Expected bytes from the reference's own unit tests (safetensors/src/tensor.rs: test_serialization,
  // test_empty, test_serialization_forced_alignement).
  it('matches the reference serialisation of one F32 tensor', () => {
    const out = concat(encodeSafetensorsOrThrow({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: f32 } }))
    expect([...out]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44,
      34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34,
      58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ])
  })

  it('matches the reference serialisation of an empty file, with and without metadata', () => {
    expect([...concat(encodeSafetensorsOrThrow({}))]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
    expect([...concat(encodeSafetensorsOrThrow({}, { framework: 'pt' }))]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119,
      111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ])
  })

  it('pads the header with spaces so the data starts 8-aligned', () => {
    const out = concat(encodeSafetensorsOrThrow({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: f32 } }))
    expect(out[0]).toBe(72)
    expect(new TextDecoder().decode(out.subarray(8, 80))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ')
  })

  it('for any input: the length prefix is the padded header length, a multiple of 8, and byteLength is the file size', () => {
    fc.assert(
      fc.property(tensorSet, metadata, (tensors, meta) => {
        const chunks = encodeSafetensorsOrThrow(tensors, meta)
        const file = concat(chunks)
        const n = Number(new DataView(file.buffer).getBigUint64(0, true))
        expect(n % 8).toBe(0)
        expect(chunks[0]!.length).toBe(8 + n)
        const header = file.subarray(8, 8 + n)
        const jsonEnd = header.lastIndexOf(0x7d) + 1 // the closing brace
        expect(n - jsonEnd).toBeLessThan(8)
        expect(header.subarray(jsonEnd).every((b) => b === 0x20)).toBe(true)
        expect(safetensorsByteLength(tensors, meta)).toEqual(E.right(file.length))
      }),
    )
  })

  it('orders tensors by dtype descending in the reference enum order, then by name in code point order', () => {
    fc.assert(
      fc.property(tensorSet, (tensors) => {
        const layout = encodeHeader(tensors)
        if (E.isLeft(layout)) throw new Error(layout.left.message)
        const order = layout.right.entries.map((e) => [DTYPES.indexOf(e.tensor.dtype), e.name] as const)
        for (let k = 1; k < order.length; k++) {
          const [r0, n0] = order[k - 1]!
          const [r1, n1] = order[k]!
          expect(r0 > r1 || (r0 === r1 && Buffer.compare(Buffer.from(n0), Buffer.from(n1)) < 0)).toBe(true)
        }
        let offset = 0
        for (const e of layout.right.entries) {
          expect(e.begin).toBe(offset)
          offset = e.end
        }
      }),
    )
  })

  it('compares names as UTF-8 bytes compare (astral characters after U+FFFF)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))))
      }),
      { numRuns: 2000 },
    )
    expect(compareCodePoints('\u{10000}', '\uffff')).toBeGreaterThan(0)
  })

  it('writes metadata first, in the order given', () => {
    const out = concat(encodeSafetensorsOrThrow({ w: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }, { b: '1', a: '2' }))
    const text = new TextDecoder().decode(out.subarray(8)).trimEnd()
    expect(text.startsWith('{"__metadata__":{"b":"1","a":"2"},"w":')).toBe(true)
  })
})
