import * as E from '#fp-ts/Either.js'
import { dtypeArray, type TensorData } from './dtype.js'
import { invalidHeaderSchema, show, unsupportedHost, type SafetensorsError } from './errors.js'
import { readFrame } from './frame.js'
import { widen16 } from './half.js'
import type { TensorInfo } from './header.js'
import { HOST_IS_LITTLE_ENDIAN } from './host.js'
import type { Metadata, Tensor } from './tensor.js'

export interface DecodeOptions {
  /** Convert F16 and BF16 tensors to `Float32Array` (exactly), reported with dtype `F32`. Default `false`. */
  readonly f16AsF32?: boolean
  /** Copy every tensor into its own buffer instead of viewing `bytes`. Default `false`. */
  readonly copy?: boolean
}

export interface DecodedSafetensors {
  /** Tensors by name, in file (data offset) order. A null-prototype object. */
  readonly tensors: Record<string, Tensor>
  /** The `__metadata__` map; empty when the file has none. A null-prototype object. */
  readonly metadata: Metadata
}

const tensorData = (bytes: Uint8Array, dataStart: number, t: TensorInfo, options: DecodeOptions): TensorData => {
  const from = dataStart + t.begin
  const to = dataStart + t.end
  if (options.f16AsF32 === true && (t.dtype === 'F16' || t.dtype === 'BF16')) return widen16(bytes.subarray(from, to), t.dtype)
  const View = dtypeArray(t.dtype)
  const count = (t.end - t.begin) / View.BYTES_PER_ELEMENT
  const absolute = bytes.byteOffset + from
  // A SharedArrayBuffer works too; the cast only widens TypeScript's view of the constructor union.
  if (options.copy !== true && absolute % View.BYTES_PER_ELEMENT === 0) return new View(bytes.buffer as ArrayBuffer, absolute, count)
  const out = new View(count)
  new Uint8Array(out.buffer).set(bytes.subarray(from, to))
  return out
}

/**
 * Reads a safetensors file. Never throws: a malformed file gives `Left` with a typed error.
 * Validates as huggingface/safetensors `tensor.rs` does, and also refuses duplicate names and the
 * prototype keys `__proto__`, `constructor` and `prototype`. Nothing is allocated from header-declared
 * sizes before they are checked against the file's length.
 *
 * Tensor data are views into `bytes` (zero-copy) where the data's position in `bytes.buffer` is a
 * multiple of the element size, and copies otherwise (or always, with `copy: true`).
 *
 * @example
 * const r = decodeSafetensors(new Uint8Array(await fs.promises.readFile('model.safetensors')))
 * if (E.isRight(r)) console.log(r.right.tensors['w']?.shape)
 */
export const decodeSafetensors = (bytes: Uint8Array, options: DecodeOptions = {}): E.Either<SafetensorsError, DecodedSafetensors> => {
  if (!HOST_IS_LITTLE_ENDIAN) return E.left(unsupportedHost())
  if (!(bytes instanceof Uint8Array)) return E.left(invalidHeaderSchema('(input)', show(bytes), 'a Uint8Array'))
  const frame = readFrame(bytes, bytes.length)
  if (E.isLeft(frame)) return frame
  const { header, dataStart } = frame.right
  const tensors = Object.create(null) as Record<string, Tensor>
  for (const t of header.tensors) {
    const data = tensorData(bytes, dataStart, t, options)
    const converted = options.f16AsF32 === true && (t.dtype === 'F16' || t.dtype === 'BF16')
    tensors[t.name] = { dtype: converted ? 'F32' : t.dtype, shape: t.shape, data }
  }
  const metadata = Object.create(null) as Record<string, string>
  for (const [k, v] of header.metadata ?? []) metadata[k] = v
  return E.right({ tensors, metadata })
}
