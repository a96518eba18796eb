/**
 * Safetensors element types, in the reference's declaration order (huggingface/safetensors 0.8,
 * `safetensors/src/tensor.rs`, `enum Dtype`). The writer sorts tensors by this order, descending.
 */
export const DTYPES = [
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
] as const

/** A safetensors dtype name, such as `F32`. */
export type Dtype = (typeof DTYPES)[number]

/** The typed arrays a tensor's `data` may be. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array

/** A typed-array constructor of one of the {@link TensorData} kinds. */
export type TensorDataConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor

interface DtypeInfo {
  /** Bits per element (4 and 6 for the packed micro-scaling floats). */
  readonly bits: number
  /** The array the reader returns; the writer also accepts it. */
  readonly array: TensorDataConstructor
}

const INFO: { readonly [D in Dtype]: DtypeInfo } = {
  BOOL: { bits: 8, array: Uint8Array },
  F4: { bits: 4, array: Uint8Array },
  F6_E2M3: { bits: 6, array: Uint8Array },
  F6_E3M2: { bits: 6, array: Uint8Array },
  U8: { bits: 8, array: Uint8Array },
  I8: { bits: 8, array: Int8Array },
  F8_E5M2: { bits: 8, array: Uint8Array },
  F8_E4M3: { bits: 8, array: Uint8Array },
  F8_E8M0: { bits: 8, array: Uint8Array },
  F8_E4M3FNUZ: { bits: 8, array: Uint8Array },
  F8_E5M2FNUZ: { bits: 8, array: Uint8Array },
  I16: { bits: 16, array: Int16Array },
  U16: { bits: 16, array: Uint16Array },
  F16: { bits: 16, array: Uint8Array },
  BF16: { bits: 16, array: Uint8Array },
  I32: { bits: 32, array: Int32Array },
  U32: { bits: 32, array: Uint32Array },
  F32: { bits: 32, array: Float32Array },
  C64: { bits: 64, array: Float32Array },
  F64: { bits: 64, array: Float64Array },
  I64: { bits: 64, array: BigInt64Array },
  U64: { bits: 64, array: BigUint64Array },
}

const RANK: ReadonlyMap<string, number> = new Map(DTYPES.map((d, i) => [d, i]))

/** True for a known dtype name (exact, case-sensitive). */
export const isDtype = (value: unknown): value is Dtype => typeof value === 'string' && RANK.has(value)

/** Bits per element. */
export const dtypeBits = (dtype: Dtype): number => INFO[dtype].bits

/** Position in the reference enum; the writer orders tensors by it, descending. */
export const dtypeRank = (dtype: Dtype): number => RANK.get(dtype) ?? 0

/**
 * The array type `decodeSafetensors` returns for a dtype: the natural typed array, `Uint8Array` (raw
 * little-endian bytes) for F16, BF16, the F8, F6 and F4 types and BOOL, and `Float32Array` (real and
 * imaginary parts interleaved) for C64.
 */
export const dtypeArray = (dtype: Dtype): TensorDataConstructor => INFO[dtype].array

/**
 * The array types `encodeSafetensors` accepts for a dtype: the natural one, `Uint8Array` holding the raw
 * little-endian bytes of any dtype, and `Uint16Array` holding the bit patterns of F16 or BF16.
 */
export const acceptedArrays = (dtype: Dtype): ReadonlyArray<TensorDataConstructor> => {
  const natural = INFO[dtype].array
  const extra: TensorDataConstructor[] = dtype === 'F16' || dtype === 'BF16' ? [Uint16Array] : []
  return natural === Uint8Array ? [Uint8Array, ...extra] : [natural, Uint8Array, ...extra]
}
