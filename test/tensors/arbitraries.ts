import fc from 'fast-check'
import { DTYPES, dtypeBits, type Dtype, type TensorData } from '../../src/tensors/index.js'
import type { Tensor } from '../../src/tensors/index.js'

/** The raw bytes of a typed array (a view, no copy). */
export const bytesOf = (d: TensorData): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength)

/** Concatenates chunks into one fresh, 8-aligned buffer. */
export const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

const NATURAL: Record<Dtype, (b: ArrayBuffer, offset: number, length: number) => TensorData> = {
  BOOL: (b, o, n) => new Uint8Array(b, o, n),
  F4: (b, o, n) => new Uint8Array(b, o, n),
  F6_E2M3: (b, o, n) => new Uint8Array(b, o, n),
  F6_E3M2: (b, o, n) => new Uint8Array(b, o, n),
  U8: (b, o, n) => new Uint8Array(b, o, n),
  I8: (b, o, n) => new Int8Array(b, o, n),
  F8_E5M2: (b, o, n) => new Uint8Array(b, o, n),
  F8_E4M3: (b, o, n) => new Uint8Array(b, o, n),
  F8_E8M0: (b, o, n) => new Uint8Array(b, o, n),
  F8_E4M3FNUZ: (b, o, n) => new Uint8Array(b, o, n),
  F8_E5M2FNUZ: (b, o, n) => new Uint8Array(b, o, n),
  I16: (b, o, n) => new Int16Array(b, o, n / 2),
  U16: (b, o, n) => new Uint16Array(b, o, n / 2),
  F16: (b, o, n) => new Uint8Array(b, o, n),
  BF16: (b, o, n) => new Uint8Array(b, o, n),
  I32: (b, o, n) => new Int32Array(b, o, n / 4),
  U32: (b, o, n) => new Uint32Array(b, o, n / 4),
  F32: (b, o, n) => new Float32Array(b, o, n / 4),
  C64: (b, o, n) => new Float32Array(b, o, (n / 8) * 2),
  F64: (b, o, n) => new Float64Array(b, o, n / 8),
  I64: (b, o, n) => new BigInt64Array(b, o, n / 8),
  U64: (b, o, n) => new BigUint64Array(b, o, n / 8),
}

/** The byte size of a tensor, computed independently of the library. */
export const byteSize = (dtype: Dtype, shape: ReadonlyArray<number>): number => (shape.reduce((a, b) => a * b, 1) * dtypeBits(dtype)) / 8

/** A shape whose element count suits the dtype (sub-byte types need whole bytes). */
const shapeFor = (dtype: Dtype): fc.Arbitrary<number[]> => {
  const dims = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 })
  return dtypeBits(dtype) % 8 === 0 ? dims : dims.map((d) => [...d, 4])
}

/**
 * A tensor of `dtype` with random bytes, its data placed at a random element-aligned offset inside a
 * larger buffer (so byteOffset handling is exercised). `F16`/`BF16` sometimes come as Uint16Array.
 */
export const tensorOf = (dtype: Dtype): fc.Arbitrary<Tensor> =>
  shapeFor(dtype).chain((shape) => {
    const size = byteSize(dtype, shape)
    return fc
      .record({
        bytes: fc.uint8Array({ minLength: size, maxLength: size }),
        pad: fc.integer({ min: 0, max: 3 }),
        asU16: fc.boolean(),
      })
      .map(({ bytes, pad, asU16 }) => {
        const unit = dtype === 'C64' ? 8 : Math.max(1, dtypeBits(dtype) / 8)
        const offset = pad * unit
        const buffer = new ArrayBuffer(offset + size + unit)
        new Uint8Array(buffer, offset, size).set(bytes)
        const data =
          asU16 && (dtype === 'F16' || dtype === 'BF16') ? new Uint16Array(buffer, offset, size / 2) : NATURAL[dtype](buffer, offset, size)
        return { dtype, shape, data }
      })
  })

export const anyTensor: fc.Arbitrary<Tensor> = fc.constantFrom(...DTYPES).chain(tensorOf)

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype', '__metadata__'])

/** Any well-formed Unicode name except the reserved ones. */
export const tensorName: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ maxLength: 6 }),
    fc.constantFrom('a', 'b', 'a.0', 'é', '\u{1F600}', '\uFFFD', '"\\\n'),
  )
  .filter((s) => !FORBIDDEN.has(s))

/** A record of tensors with unique names. */
export const tensorSet: fc.Arbitrary<Record<string, Tensor>> = fc
  .uniqueArray(fc.tuple(tensorName, anyTensor), { selector: ([n]) => n, maxLength: 8 })
  .map((entries) => Object.fromEntries(entries))

/** Optional metadata with well-formed string keys and values. */
export const metadata: fc.Arbitrary<Record<string, string> | undefined> = fc.option(
  fc.dictionary(tensorName, fc.string({ unit: 'binary', maxLength: 10 }), { maxKeys: 4 }),
  { nil: undefined },
)
