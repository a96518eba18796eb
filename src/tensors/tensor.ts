import type { Dtype, TensorData } from './dtype.js'

/**
 * One tensor: a safetensors dtype, a row-major shape and its elements.
 * `data` is the natural typed array of the dtype (`Float32Array` for F32, `BigInt64Array` for I64, …);
 * `Uint8Array` of raw little-endian bytes for BOOL, F16, BF16 and the F8/F6/F4 types; `Float32Array`
 * of interleaved (real, imaginary) pairs for C64. The writer also accepts a `Uint8Array` of raw bytes
 * for any dtype, and a `Uint16Array` of bit patterns for F16 and BF16.
 */
export interface Tensor {
  readonly dtype: Dtype
  readonly shape: ReadonlyArray<number>
  readonly data: TensorData
}

/** Tensors by name. */
export type Tensors = Readonly<Record<string, Tensor>>

/** Free-form string annotations stored under `__metadata__`. */
export type Metadata = Readonly<Record<string, string>>
