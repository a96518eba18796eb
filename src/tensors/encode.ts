import * as E from '#fp-ts/Either.js'
import { acceptedArrays, dtypeRank, isDtype, type TensorData } from './dtype.js'
import {
  forbiddenName,
  headerTooLarge,
  invalidMetadata,
  invalidTensor,
  SafetensorsEncodeError,
  show,
  unknownDtype,
  tensorTooLarge,
  unsupportedHost,
  type SafetensorsError,
} from './errors.js'
import {
  compareCodePoints,
  headerJson,
  MAX_HEADER_SIZE,
  MAX_TENSOR_BYTES,
  METADATA_KEY,
  PROTOTYPE_KEYS,
  tensorByteSize,
  type TensorInfo,
} from './header.js'
import { HOST_IS_LITTLE_ENDIAN } from './host.js'
import type { Metadata, Tensor, Tensors } from './tensor.js'

/** One tensor's place in the file being written. */
export interface LayoutEntry {
  readonly name: string
  readonly tensor: Tensor
  /** Offsets relative to the start of the data section. */
  readonly begin: number
  readonly end: number
  /** A view of the tensor's own bytes (no copy). */
  readonly bytes: Uint8Array
}

/** A planned safetensors file: the header bytes, then each entry's bytes in order. */
export interface SafetensorsLayout {
  /** The 8-byte little-endian header length followed by the space-padded JSON header. */
  readonly header: Uint8Array
  /** Tensors in file order: dtype descending in the reference's enum order, then name by code point. */
  readonly entries: ReadonlyArray<LayoutEntry>
  /** The whole file's size in bytes. */
  readonly byteLength: number
}

const TAG = (v: object): string => Object.prototype.toString.call(v).slice(8, -1)
const isWellFormed = (s: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(s)
const WELL_FORMED = 'a well-formed Unicode string (no lone surrogates)'
const INDEX = 'an integer from 0 to 2^53 - 1'

const checkName = (name: string): E.Either<SafetensorsError, string> => {
  if (PROTOTYPE_KEYS.has(name) || name === METADATA_KEY) return E.left(forbiddenName(name, 'tensor'))
  if (!isWellFormed(name)) return E.left(invalidTensor(name, 'name', show(name), WELL_FORMED))
  return E.right(name)
}

const checkTensor = (
  name: string,
  t: unknown,
): E.Either<SafetensorsError, Omit<TensorInfo, 'begin' | 'end'> & { data: TensorData; byteLength: number }> => {
  if (typeof t !== 'object' || t === null) return E.left(invalidTensor(name, 'the tensor', show(t), 'an object { dtype, shape, data }'))
  const { dtype, shape, data } = t as Record<string, unknown>
  if (typeof dtype !== 'string') return E.left(invalidTensor(name, 'dtype', show(dtype), 'a dtype name such as "F32"'))
  if (!isDtype(dtype)) return E.left(unknownDtype(name, JSON.stringify(dtype)))
  if (!Array.isArray(shape)) return E.left(invalidTensor(name, 'shape', show(shape), `an array of ${INDEX}`))
  for (const [k, d] of shape.entries())
    if (!Number.isSafeInteger(d) || (d as number) < 0) return E.left(invalidTensor(name, `shape[${k}]`, show(d), INDEX))
  const dims = shape as number[]
  const accepted = acceptedArrays(dtype)
  const acceptedText = accepted.map((c) => c.name).join(' or ')
  if (typeof data !== 'object' || data === null || !ArrayBuffer.isView(data) || !accepted.some((c) => c.name === TAG(data)))
    return E.left(invalidTensor(name, 'data', show(data), `${acceptedText} for dtype ${dtype}`))
  const size = tensorByteSize(name, dtype, dims)
  if (E.isLeft(size)) return size
  if (size.right > MAX_TENSOR_BYTES) return E.left(tensorTooLarge(name, size.right, MAX_TENSOR_BYTES))
  const view = data as TensorData
  if (view.byteLength !== size.right)
    return E.left(
      invalidTensor(
        name,
        'data',
        `a ${TAG(view)} of ${view.length} elements (${view.byteLength} bytes)`,
        `${size.right} bytes for dtype ${dtype} and shape [${dims.join(', ')}]`,
      ),
    )
  return E.right({ name, dtype, shape: [...dims], data: view, byteLength: size.right })
}

const checkMetadata = (metadata: unknown): E.Either<SafetensorsError, ReadonlyMap<string, string> | null> => {
  if (metadata === undefined) return E.right(null)
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return E.left(invalidMetadata('', show(metadata), 'an object mapping strings to strings'))
  const out = new Map<string, string>()
  for (const key of Object.keys(metadata)) {
    if (PROTOTYPE_KEYS.has(key)) return E.left(forbiddenName(key, 'metadata'))
    if (!isWellFormed(key)) return E.left(invalidMetadata(key, 'a key with a lone surrogate', WELL_FORMED))
    const value = (metadata as Record<string, unknown>)[key]
    if (typeof value !== 'string') return E.left(invalidMetadata(key, show(value), 'a string'))
    if (!isWellFormed(value)) return E.left(invalidMetadata(key, show(value), WELL_FORMED))
    out.set(key, value)
  }
  if (Object.getOwnPropertySymbols(metadata).length > 0)
    return E.left(invalidMetadata('', 'an object with symbol keys', 'an object mapping strings to strings'))
  return E.right(out)
}

/**
 * Validates the input and plans the file: header bytes, tensor order and offsets, total size.
 * For streaming: write `header`, then each entry's `bytes` in order.
 *
 * @example
 * const plan = encodeHeader({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } })
 * // plan.right.header: 8-byte length + `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}` padded to 64 bytes
 */
export const encodeHeader = (tensors: Tensors, metadata?: Metadata): E.Either<SafetensorsError, SafetensorsLayout> => {
  if (!HOST_IS_LITTLE_ENDIAN) return E.left(unsupportedHost())
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors))
    return E.left(invalidTensor('', 'tensors', show(tensors), 'a record from name to { dtype, shape, data }'))
  const symbols = Object.getOwnPropertySymbols(tensors)
  if (symbols.length > 0) return E.left(invalidTensor(String(symbols[0]), 'name', 'a symbol', 'a string'))
  const meta = checkMetadata(metadata)
  if (E.isLeft(meta)) return meta
  const checked = []
  // A lower bound on the header size (each UTF-16 unit is at least one UTF-8 byte) refuses an oversized
  // header before building it.
  let atLeast = 0
  for (const name of Object.keys(tensors)) {
    atLeast += name.length + 48
    if (atLeast > MAX_HEADER_SIZE) return E.left(headerTooLarge(BigInt(atLeast), true))
    const n = checkName(name)
    if (E.isLeft(n)) return n
    const t = checkTensor(name, (tensors as Record<string, unknown>)[name])
    if (E.isLeft(t)) return t
    checked.push(t.right)
  }
  checked.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareCodePoints(a.name, b.name))
  let offset = 0
  const infos: TensorInfo[] = []
  const entries: LayoutEntry[] = []
  for (const t of checked) {
    const info = { name: t.name, dtype: t.dtype, shape: t.shape, begin: offset, end: offset + t.byteLength }
    infos.push(info)
    entries.push({
      name: t.name,
      tensor: (tensors as Record<string, Tensor>)[t.name]!,
      begin: info.begin,
      end: info.end,
      bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    })
    offset = info.end
  }
  const json = new TextEncoder().encode(headerJson(infos, meta.right))
  const n = Math.ceil(json.length / 8) * 8
  if (n > MAX_HEADER_SIZE) return E.left(headerTooLarge(BigInt(n)))
  const header = new Uint8Array(8 + n)
  new DataView(header.buffer).setBigUint64(0, BigInt(n), true)
  header.set(json, 8)
  header.fill(0x20, 8 + json.length)
  return E.right({ header, entries, byteLength: 8 + n + offset })
}

/**
 * Encodes tensors as a safetensors file, returned as byte chunks: the header first, then views of the
 * tensors' own bytes (empty tensors add no chunk), never concatenated or copied. Write the chunks in order (or
 * concatenate them) to get the file. The views alias the caller's arrays: do not mutate them until the chunks
 * are written. Never throws: invalid input gives `Left` with a typed {@link SafetensorsError}, as
 * {@link decodeSafetensors} does for a malformed file.
 *
 * @example
 * const r = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) } }, { step: '10' })
 * if (E.isRight(r)) await fs.promises.writeFile('model.safetensors', r.right)
 */
export const encodeSafetensors = (tensors: Tensors, metadata?: Metadata): E.Either<SafetensorsError, Uint8Array[]> =>
  E.map((layout: SafetensorsLayout) => [layout.header, ...layout.entries.map((e) => e.bytes).filter((b) => b.length > 0)])(
    encodeHeader(tensors, metadata),
  )

/** The chunks of {@link encodeSafetensors}, or throws its error as a `SafetensorsEncodeError` (for effectful callers). */
export const encodeSafetensorsOrThrow = (tensors: Tensors, metadata?: Metadata): Uint8Array[] => {
  const result = encodeSafetensors(tensors, metadata)
  if (E.isLeft(result)) throw new SafetensorsEncodeError(result.left)
  return result.right
}

/** The size in bytes of the file {@link encodeSafetensors} would produce, or why the input is invalid. */
export const safetensorsByteLength = (tensors: Tensors, metadata?: Metadata): E.Either<SafetensorsError, number> =>
  E.map((layout: SafetensorsLayout) => layout.byteLength)(encodeHeader(tensors, metadata))
