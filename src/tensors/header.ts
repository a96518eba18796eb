import * as E from '#fp-ts/Either.js'
import { dtypeBits, isDtype, type Dtype } from './dtype.js'
import {
  duplicateName,
  forbiddenName,
  invalidHeaderSchema,
  invalidMetadata,
  invalidOffset,
  misalignedSlice,
  tensorInvalidInfo,
  unknownDtype,
  validationOverflow,
  type SafetensorsError,
} from './errors.js'
import { describeJson, type JsonValue } from './json.js'

/** The header key holding the string-to-string metadata map. */
export const METADATA_KEY = '__metadata__'

/** The reference reader's limit on the header length, in bytes. */
export const MAX_HEADER_SIZE = 100_000_000

/**
 * The most bytes one tensor may hold: the longest Uint8Array V8 makes (2^32 in Node 20 on 64-bit), so that every
 * tensor's bytes can be viewed, written and read back as one array. Checkpoints larger than this hold several tensors.
 */
export const MAX_TENSOR_BYTES = 2 ** 32

/** Names rejected for tensors and metadata keys, because plain JS objects treat them specially. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** One tensor's header entry. Offsets are relative to the start of the data section. */
export interface TensorInfo {
  readonly name: string
  readonly dtype: Dtype
  readonly shape: ReadonlyArray<number>
  readonly begin: number
  readonly end: number
}

/** A parsed header: tensors in data-offset order, and the metadata (`null` when absent). */
export interface Header {
  readonly tensors: ReadonlyArray<TensorInfo>
  readonly metadata: ReadonlyMap<string, string> | null
}

const field = (name: string, ...path: ReadonlyArray<string | number>): string =>
  JSON.stringify(name) + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')

const SAFE_INTEGER_TEXT = /^(?:0|[1-9][0-9]{0,15})$/

/** A JSON number that is an integer in [0, 2^53 - 1] written without fraction or exponent, as serde's usize requires. */
const asIndex = (v: JsonValue): number | undefined => {
  if (v.kind !== 'number' || !SAFE_INTEGER_TEXT.test(v.raw)) return undefined
  const n = Number(v.raw)
  return Number.isSafeInteger(n) ? n : undefined
}

const INDEX = 'an integer from 0 to 2^53 - 1'

/**
 * The byte size of `shape` elements of `dtype`, folding the element count left to right with an
 * overflow check at each step, as the reference does.
 */
export const tensorByteSize = (name: string, dtype: Dtype, shape: ReadonlyArray<number>): E.Either<SafetensorsError, number> => {
  let count = 1
  for (const d of shape) {
    count *= d
    if (count > Number.MAX_SAFE_INTEGER) return E.left(validationOverflow(name, shape, dtype))
  }
  const bits = dtypeBits(dtype)
  if (((count % 8) * bits) % 8 !== 0) return E.left(misalignedSlice(name, shape, dtype, count, bits))
  const bytes = Math.floor(count / 8) * bits + ((count % 8) * bits) / 8
  return bytes > Number.MAX_SAFE_INTEGER ? E.left(validationOverflow(name, shape, dtype)) : E.right(bytes)
}

const readMetadata = (v: JsonValue): E.Either<SafetensorsError, ReadonlyMap<string, string> | null> => {
  if (v.kind === 'null') return E.right(null)
  if (v.kind !== 'object') return E.left(invalidMetadata('', describeJson(v), 'an object mapping strings to strings'))
  const out = new Map<string, string>()
  for (const [key, value] of v.entries) {
    if (PROTOTYPE_KEYS.has(key)) return E.left(forbiddenName(key, 'metadata'))
    if (out.has(key)) return E.left(duplicateName(key, 'metadata'))
    if (value.kind !== 'string') return E.left(invalidMetadata(key, describeJson(value), 'a string'))
    out.set(key, value.value)
  }
  return E.right(out)
}

const readTensor = (name: string, v: JsonValue): E.Either<SafetensorsError, TensorInfo> => {
  const expected = 'an object {"dtype", "shape", "data_offsets"}'
  if (v.kind !== 'object') return E.left(invalidHeaderSchema(field(name), describeJson(v), expected))
  const fields = new Map<string, JsonValue>()
  for (const [key, value] of v.entries) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') continue // the reference ignores unknown fields
    if (fields.has(key)) return E.left(invalidHeaderSchema(field(name, key), 'given twice', 'exactly one'))
    fields.set(key, value)
  }
  const dtype = fields.get('dtype')
  const shape = fields.get('shape')
  const offsets = fields.get('data_offsets')
  if (dtype === undefined) return E.left(invalidHeaderSchema(field(name, 'dtype'), 'missing', 'a dtype name such as "F32"'))
  if (shape === undefined) return E.left(invalidHeaderSchema(field(name, 'shape'), 'missing', `an array of ${INDEX}`))
  if (offsets === undefined) return E.left(invalidHeaderSchema(field(name, 'data_offsets'), 'missing', `[begin, end], each ${INDEX}`))
  if (dtype.kind !== 'string') return E.left(invalidHeaderSchema(field(name, 'dtype'), describeJson(dtype), 'a dtype name such as "F32"'))
  if (!isDtype(dtype.value)) return E.left(unknownDtype(name, JSON.stringify(dtype.value)))
  if (shape.kind !== 'array') return E.left(invalidHeaderSchema(field(name, 'shape'), describeJson(shape), `an array of ${INDEX}`))
  const dims: number[] = []
  for (const [k, item] of shape.items.entries()) {
    const d = asIndex(item)
    if (d === undefined) return E.left(invalidHeaderSchema(field(name, 'shape', k), describeJson(item), INDEX))
    dims.push(d)
  }
  if (offsets.kind !== 'array' || offsets.items.length !== 2)
    return E.left(invalidHeaderSchema(field(name, 'data_offsets'), describeJson(offsets), `[begin, end], each ${INDEX}`))
  const bounds: number[] = []
  for (const [k, item] of offsets.items.entries()) {
    const b = asIndex(item)
    if (b === undefined) return E.left(invalidHeaderSchema(field(name, 'data_offsets', k), describeJson(item), INDEX))
    bounds.push(b)
  }
  return E.right({ name, dtype: dtype.value, shape: dims, begin: bounds[0] ?? 0, end: bounds[1] ?? 0 })
}

/**
 * Interprets a parsed header and validates it as the reference reader does: tensors sorted by
 * `data_offsets` must start at 0 and run contiguously, each spanning exactly dtype size × shape.
 * Stricter than the reference: duplicate names and prototype keys are refused.
 * Returns the tensors in data order and the data section's length.
 */
export const readHeader = (root: JsonValue): E.Either<SafetensorsError, Header & { readonly dataEnd: number }> => {
  if (root.kind !== 'object') return E.left(invalidHeaderSchema('(header)', describeJson(root), 'a JSON object'))
  const tensors: TensorInfo[] = []
  const names = new Set<string>()
  let metadata: ReadonlyMap<string, string> | null = null
  let sawMetadata = false
  for (const [key, value] of root.entries) {
    if (key === METADATA_KEY) {
      if (sawMetadata) return E.left(duplicateName(METADATA_KEY, 'tensor'))
      sawMetadata = true
      const m = readMetadata(value)
      if (E.isLeft(m)) return m
      metadata = m.right
      continue
    }
    if (PROTOTYPE_KEYS.has(key)) return E.left(forbiddenName(key, 'tensor'))
    if (names.has(key)) return E.left(duplicateName(key, 'tensor'))
    names.add(key)
    const t = readTensor(key, value)
    if (E.isLeft(t)) return t
    tensors.push(t.right)
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let start = 0
  for (const t of tensors) {
    if (t.begin !== start || t.end < t.begin) return E.left(invalidOffset(t.name, [t.begin, t.end], start))
    start = t.end
    const size = tensorByteSize(t.name, t.dtype, t.shape)
    if (E.isLeft(size)) return size
    if (t.end - t.begin !== size.right) return E.left(tensorInvalidInfo(t.name, t.dtype, t.shape, t.end - t.begin, size.right))
  }
  return E.right({ tensors, metadata, dataEnd: start })
}

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (Rust's `str` order). */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k)
    const y = b.charCodeAt(k)
    if (x !== y) {
      // Surrogates (astral code points) sort after U+E000..U+FFFF in code point order.
      const fx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x
      const fy = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y
      return fx - fy
    }
  }
  return a.length - b.length
}

/**
 * The header JSON as the reference writer prints it (serde_json, compact): `__metadata__` first when
 * given, then each tensor as `{"dtype","shape","data_offsets"}` in the order given.
 */
export const headerJson = (tensors: ReadonlyArray<TensorInfo>, metadata: ReadonlyMap<string, string> | null): string => {
  const parts: string[] = []
  if (metadata !== null) {
    const entries = [...metadata].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    parts.push(`"${METADATA_KEY}":{${entries.join(',')}}`)
  }
  for (const t of tensors)
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${t.begin},${t.end}]}`)
  return `{${parts.join(',')}}`
}
