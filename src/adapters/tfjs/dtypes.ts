import * as E from '#fp-ts/Either.js'
import type { Dtype } from '../../tensors/index.js'
import type { TfjsAdapterError } from './errors.js'

/** The tfjs dtypes a checkpoint can hold, and their safetensors names. */
export type TfjsNumericDtype = 'float32' | 'int32' | 'bool'

const TO_SAFETENSORS: Readonly<Record<TfjsNumericDtype, Dtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' }
const FROM_SAFETENSORS: Readonly<Partial<Record<Dtype, TfjsNumericDtype>>> = { F32: 'float32', I32: 'int32', BOOL: 'bool' }

/** float32 → F32, int32 → I32, bool → BOOL; string and complex64 are refused, naming the tensor. */
export const toSafetensorsDtype = (name: string, dtype: string): E.Either<TfjsAdapterError, Dtype> => {
  const d = (TO_SAFETENSORS as Record<string, Dtype | undefined>)[dtype]
  return d !== undefined
    ? E.right(d)
    : E.left({
        _tag: 'UnsupportedDtype',
        name,
        dtype,
        message: `ckpt/tfjs: weight '${name}' has dtype '${dtype}'; checkpoints hold ${Object.keys(TO_SAFETENSORS).join(', ')}`,
      })
}

/** F32 → float32, I32 → int32, BOOL → bool; any other safetensors dtype has no tfjs counterpart (`undefined`). */
export const fromSafetensorsDtype = (dtype: Dtype): TfjsNumericDtype | undefined => FROM_SAFETENSORS[dtype]

/** `bytes` seen as the typed array of `dtype`, without a copy (float32 and int32 need a byte offset that is a multiple of 4). */
export const typedView = (dtype: TfjsNumericDtype, bytes: Uint8Array): Float32Array | Int32Array | Uint8Array =>
  dtype === 'float32'
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    : dtype === 'int32'
      ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      : bytes
