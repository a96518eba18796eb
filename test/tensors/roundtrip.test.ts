import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeSafetensors, encodeSafetensorsOrThrow, DTYPES, type Tensor } from '../../src/tensors/index.js'
import { dtypeArray } from '../../src/tensors/dtype.js'
import { bytesOf, concat, metadata, tensorSet } from './arbitraries.js'

const expectSame = (decoded: Record<string, Tensor>, original: Record<string, Tensor>): void => {
  expect(Object.keys(decoded).sort()).toEqual(Object.keys(original).sort())
  for (const [name, t] of Object.entries(original)) {
    const d = decoded[name]!
    expect(d.dtype).toBe(t.dtype)
    expect([...d.shape]).toEqual([...t.shape])
    expect(d.data.constructor).toBe(dtypeArray(t.dtype))
    expect(bytesOf(d.data)).toEqual(bytesOf(t.data))
  }
}

describe('safetensors round trip', () => {
  it('decode(encode(tensors, metadata)) gives back every tensor, bit for bit, and the metadata', () => {
    fc.assert(
      fc.property(tensorSet, metadata, fc.boolean(), (tensors, meta, copy) => {
        const file = concat(encodeSafetensorsOrThrow(tensors, meta))
        const r = decodeSafetensors(file, { copy })
        if (E.isLeft(r)) throw new Error(r.left.message)
        expectSame(r.right.tensors, tensors)
        expect({ ...r.right.metadata }).toEqual(meta ?? {})
      }),
      { numRuns: 300 },
    )
  })

  it('covers every dtype the reference knows', () => {
    expect([...DTYPES].sort()).toEqual(
      [
        'BOOL',
        'F4',
        'F6_E2M3',
        'F6_E3M2',
        'U8',
        'I8',
        'F8_E5M2',
        'F8_E4M3',
        'F8_E8M0',
        'F8_E4M3FNUZ',
        'F8_E5M2FNUZ',
        'I16',
        'U16',
        'F16',
        'BF16',
        'I32',
        'U32',
        'F32',
        'C64',
        'F64',
        'I64',
        'U64',
      ].sort(),
    )
  })

  it('encoding a decoded file reproduces the file byte for byte', () => {
    fc.assert(
      fc.property(tensorSet, metadata, (tensors, meta) => {
        const file = concat(encodeSafetensorsOrThrow(tensors, meta))
        const r = decodeSafetensors(file)
        if (E.isLeft(r)) throw new Error(r.left.message)
        const again = concat(encodeSafetensorsOrThrow(r.right.tensors, meta === undefined ? undefined : r.right.metadata))
        expect(again).toEqual(file)
      }),
      { numRuns: 200 },
    )
  })

  it('keeps values: F32 NaN payloads, -0, BigInt extremes', () => {
    const f32 = new Float32Array(3)
    new Uint32Array(f32.buffer).set([0x7fc00001, 0x80000000, 0xff800000])
    const tensors = {
      f: { dtype: 'F32', shape: [3], data: f32 },
      i: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) },
      u: { dtype: 'U64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    } as const
    const r = decodeSafetensors(concat(encodeSafetensorsOrThrow(tensors)))
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect([...new Uint32Array(bytesOf(r.right.tensors['f']!.data).slice().buffer)]).toEqual([0x7fc00001, 0x80000000, 0xff800000])
    expect([...(r.right.tensors['i']!.data as BigInt64Array)]).toEqual([-(2n ** 63n), 2n ** 63n - 1n])
    expect([...(r.right.tensors['u']!.data as BigUint64Array)]).toEqual([2n ** 64n - 1n])
  })
})
