import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  SafetensorsEncodeError,
  safetensorsByteLength,
  type Metadata,
  type Tensors,
} from '../../src/tensors/index.js'

const f32 = (n: number) => ({ dtype: 'F32' as const, shape: [n], data: new Float32Array(n) })

interface Bad {
  readonly name: string
  readonly tensors: unknown
  readonly metadata?: unknown
  readonly tag: string
  readonly mentions: ReadonlyArray<string>
}

const withProto = (key: string): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  Object.defineProperty(o, key, { value: f32(1), enumerable: true })
  return o
}

const BAD: ReadonlyArray<Bad> = [
  { name: 'tensors that are not an object', tensors: null, tag: 'InvalidTensor', mentions: ['tensors', 'null'] },
  { name: 'tensors that are an array', tensors: [f32(1)], tag: 'InvalidTensor', mentions: ['tensors'] },
  { name: 'a symbol tensor name', tensors: { [Symbol('w')]: f32(1) }, tag: 'InvalidTensor', mentions: ['Symbol(w)', 'a string'] },
  { name: 'a tensor that is not an object', tensors: { w: 3 }, tag: 'InvalidTensor', mentions: ['"w"', '3', '{ dtype, shape, data }'] },
  { name: 'an unknown dtype', tensors: { w: { ...f32(1), dtype: 'F128' } }, tag: 'UnknownDtype', mentions: ['"w"', 'F128'] },
  { name: 'a non-string dtype', tensors: { w: { ...f32(1), dtype: 32 } }, tag: 'InvalidTensor', mentions: ['"w"', 'dtype', '32'] },
  { name: 'a shape that is not an array', tensors: { w: { ...f32(1), shape: 1 } }, tag: 'InvalidTensor', mentions: ['shape', '1'] },
  {
    name: 'a fractional dimension',
    tensors: { w: { ...f32(1), shape: [0.5, 2] } },
    tag: 'InvalidTensor',
    mentions: ['shape[0]', '0.5', 'integer'],
  },
  { name: 'a negative dimension', tensors: { w: { ...f32(1), shape: [-1] } }, tag: 'InvalidTensor', mentions: ['shape[0]', '-1'] },
  { name: 'a NaN dimension', tensors: { w: { ...f32(1), shape: [NaN] } }, tag: 'InvalidTensor', mentions: ['shape[0]', 'NaN'] },
  { name: 'a dimension past 2^53', tensors: { w: { ...f32(1), shape: [2 ** 53] } }, tag: 'InvalidTensor', mentions: ['shape[0]'] },
  { name: 'a string dimension', tensors: { w: { ...f32(1), shape: ['2'] } }, tag: 'InvalidTensor', mentions: ['shape[0]', '"2"'] },
  {
    name: 'data that is a plain array',
    tensors: { w: { ...f32(1), data: [0] } },
    tag: 'InvalidTensor',
    mentions: ['data', 'Float32Array or Uint8Array', 'F32'],
  },
  {
    name: 'data of the wrong typed array',
    tensors: { w: { ...f32(1), data: new Int32Array(1) } },
    tag: 'InvalidTensor',
    mentions: ['data', 'Int32Array', 'Float32Array or Uint8Array'],
  },
  {
    name: 'a DataView',
    tensors: { w: { ...f32(1), data: new DataView(new ArrayBuffer(4)) } },
    tag: 'InvalidTensor',
    mentions: ['DataView'],
  },
  {
    name: 'a Float32Array for F16',
    tensors: { w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } },
    tag: 'InvalidTensor',
    mentions: ['Uint8Array or Uint16Array', 'F16'],
  },
  {
    name: 'too few elements',
    tensors: { w: { ...f32(1), shape: [2, 3] } },
    tag: 'InvalidTensor',
    mentions: ['"w"', '1 elements (4 bytes)', '24 bytes', '[2, 3]'],
  },
  {
    name: 'too many raw bytes',
    tensors: { w: { dtype: 'I64', shape: [1], data: new Uint8Array(9) } },
    tag: 'InvalidTensor',
    mentions: ['9 bytes', '8 bytes', 'I64'],
  },
  {
    name: 'F4 that does not fill a byte',
    tensors: { w: { dtype: 'F4', shape: [3], data: new Uint8Array(2) } },
    tag: 'MisalignedSlice',
    mentions: ['"w"', '12 bits'],
  },
  { name: 'the name __metadata__', tensors: { __metadata__: f32(1) }, tag: 'ForbiddenName', mentions: ['"__metadata__"', 'reserved'] },
  { name: 'the name __proto__', tensors: withProto('__proto__'), tag: 'ForbiddenName', mentions: ['"__proto__"'] },
  { name: 'the name constructor', tensors: { constructor: f32(1) }, tag: 'ForbiddenName', mentions: ['"constructor"'] },
  { name: 'the name prototype', tensors: { prototype: f32(1) }, tag: 'ForbiddenName', mentions: ['"prototype"'] },
  { name: 'a name with a lone surrogate', tensors: { 'a\ud800': f32(1) }, tag: 'InvalidTensor', mentions: ['name', 'lone surrogate'] },
  { name: 'metadata that is not an object', tensors: {}, metadata: 'x', tag: 'InvalidMetadata', mentions: ['__metadata__', '"x"'] },
  { name: 'a number metadata value', tensors: {}, metadata: { step: 10 }, tag: 'InvalidMetadata', mentions: ['"step"', '10', 'a string'] },
  { name: 'a null metadata value', tensors: {}, metadata: { a: null }, tag: 'InvalidMetadata', mentions: ['"a"', 'null'] },
  {
    name: 'a metadata key __proto__',
    tensors: {},
    metadata: withProto('__proto__'),
    tag: 'ForbiddenName',
    mentions: ['__metadata__ key', '"__proto__"'],
  },
  {
    name: 'a metadata value with a lone surrogate',
    tensors: {},
    metadata: { a: '\udc00x' },
    tag: 'InvalidMetadata',
    mentions: ['"a"', 'lone surrogate'],
  },
]

describe('safetensors writer validation', () => {
  it.each(BAD.map((b) => [b.name, b] as const))('rejects %s', (_, b) => {
    const r = encodeSafetensors(b.tensors as Tensors, b.metadata as Metadata)
    expect(E.isLeft(r) && r.left._tag).toBe(b.tag)
    if (E.isLeft(r)) for (const m of b.mentions) expect(r.left.message).toContain(m)
    let thrown: unknown
    try {
      encodeSafetensorsOrThrow(b.tensors as Tensors, b.metadata as Metadata)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(SafetensorsEncodeError)
    expect((thrown as SafetensorsEncodeError).error._tag).toBe(b.tag)
    expect((thrown as SafetensorsEncodeError).message).toBe(E.isLeft(r) ? r.left.message : '')
    expect(E.isLeft(safetensorsByteLength(b.tensors as Tensors, b.metadata as Metadata))).toBe(true)
  })

  it('accepts raw bytes for any dtype and Uint16Array bit patterns for F16 and BF16', () => {
    const ok = encodeSafetensors({
      a: { dtype: 'F64', shape: [1], data: new Uint8Array(8) },
      b: { dtype: 'F16', shape: [2], data: new Uint16Array(2) },
      c: { dtype: 'BF16', shape: [2], data: new Uint16Array(2) },
      d: { dtype: 'C64', shape: [1], data: new Float32Array(2) },
      e: { dtype: 'BOOL', shape: [], data: new Uint8Array([1]) },
    })
    expect(E.isRight(ok)).toBe(true)
  })

  it('accepts a Node Buffer (a Uint8Array subclass)', () => {
    expect(E.isRight(encodeSafetensors({ w: { dtype: 'U8', shape: [3], data: Buffer.from([1, 2, 3]) } }))).toBe(true)
  })

  it('refuses a header over 100,000,000 bytes, as the reference writer does, before building it', () => {
    const empty = new Uint8Array(0)
    const tensors = (count: number, length: number) => {
      const out: Record<string, { dtype: 'U8'; shape: number[]; data: Uint8Array }> = {}
      const long = 'x'.repeat(length)
      for (let k = 0; k < count; k++) out[`${k}${long}`] = { dtype: 'U8', shape: [0], data: empty }
      return out
    }
    const r = encodeSafetensors(tensors(101, 1_000_000))
    expect(E.isLeft(r) && r.left._tag).toBe('HeaderTooLarge')
    expect(E.isLeft(r) && r.left.message).toMatch(/at least 100\d{6} bytes; expected at most 100000000/)
    // Just under the limit it is written (a 99.9 MB header).
    const ok = encodeSafetensors(tensors(99, 1_000_000))
    expect(E.isRight(ok) && ok.right[0]!.length).toBeGreaterThan(99_000_000)
  })
})
