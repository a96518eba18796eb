import { CkptError } from '../errors/ckpt-error.js'
/**
 * Typed safetensors failures. Reading reports the reader tags; writing reports the writer tags.
 * Every error carries a `message` naming the tensor or field, the value found and what is accepted.
 */
export type SafetensorsError =
  // Reader: the frame around the header.
  | { readonly _tag: 'HeaderTooSmall'; readonly fileLength: number; readonly message: string }
  | { readonly _tag: 'HeaderTooLarge'; readonly headerLength: bigint; readonly message: string }
  | {
      readonly _tag: 'InvalidHeaderLength'
      readonly headerLength: number
      readonly fileLength: number
      readonly message: string
    }
  | { readonly _tag: 'InvalidHeaderUtf8'; readonly message: string }
  | { readonly _tag: 'InvalidHeaderJson'; readonly position: number; readonly message: string }
  // Reader and writer: the header's content.
  | {
      readonly _tag: 'InvalidHeaderSchema'
      readonly field: string
      readonly value: string
      readonly expected: string
      readonly message: string
    }
  | { readonly _tag: 'UnknownDtype'; readonly tensor: string; readonly dtype: string; readonly message: string }
  | {
      readonly _tag: 'InvalidMetadata'
      readonly key: string
      readonly value: string
      readonly expected: string
      readonly message: string
    }
  | {
      readonly _tag: 'DuplicateName'
      readonly name: string
      readonly scope: 'tensor' | 'metadata'
      readonly message: string
    }
  | {
      readonly _tag: 'ForbiddenName'
      readonly name: string
      readonly scope: 'tensor' | 'metadata'
      readonly message: string
    }
  | {
      readonly _tag: 'InvalidOffset'
      readonly tensor: string
      readonly dataOffsets: readonly [number, number]
      readonly expectedBegin: number
      readonly message: string
    }
  | {
      readonly _tag: 'ValidationOverflow'
      readonly tensor: string
      readonly shape: ReadonlyArray<number>
      readonly dtype: string
      readonly message: string
    }
  | {
      readonly _tag: 'MisalignedSlice'
      readonly tensor: string
      readonly shape: ReadonlyArray<number>
      readonly dtype: string
      /** Total bits, not a multiple of 8. */
      readonly bits: number
      readonly message: string
    }
  | {
      readonly _tag: 'TensorInvalidInfo'
      readonly tensor: string
      readonly dtype: string
      readonly shape: ReadonlyArray<number>
      readonly byteLength: number
      readonly expectedByteLength: number
      readonly message: string
    }
  | {
      readonly _tag: 'MetadataIncompleteBuffer'
      readonly dataEnd: number
      readonly dataLength: number
      readonly message: string
    }
  // Reader and writer: what one JS typed array holds.
  | {
      readonly _tag: 'TensorTooLarge'
      readonly tensor: string
      readonly byteLength: number
      readonly limit: number
      readonly message: string
    }
  // Writer: the tensors given.
  | {
      readonly _tag: 'InvalidTensor'
      readonly tensor: string
      readonly field: string
      readonly value: string
      readonly expected: string
      readonly message: string
    }
  | { readonly _tag: 'UnsupportedHost'; readonly message: string }

export type SafetensorsErrorTag = SafetensorsError['_tag']

/** Renders a value found in input for an error message, briefly. */
export const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return `[${value.slice(0, 8).map(show).join(', ')}${value.length > 8 ? ', …' : ''}]`
  const name = value.constructor?.name
  return name && name !== 'Object' ? name : 'an object'
}

const q = (name: string): string => JSON.stringify(name)
const dims = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`

export const headerTooSmall = (fileLength: number): SafetensorsError => ({
  _tag: 'HeaderTooSmall',
  fileLength,
  message: `safetensors: file is ${fileLength} bytes; expected at least 8 (the header length)`,
})

/** `lowerBound`: the writer knows only that the header would be at least `headerLength` bytes. */
export const headerTooLarge = (headerLength: bigint, lowerBound = false): SafetensorsError => ({
  _tag: 'HeaderTooLarge',
  headerLength,
  message: `safetensors: header length is ${lowerBound ? 'at least ' : ''}${headerLength} bytes; expected at most 100000000`,
})

export const invalidHeaderLength = (headerLength: number, fileLength: number): SafetensorsError => ({
  _tag: 'InvalidHeaderLength',
  headerLength,
  fileLength,
  message: `safetensors: header length ${headerLength} runs past the end of the file (${fileLength} bytes, so at most ${Math.max(0, fileLength - 8)})`,
})

export const invalidHeaderUtf8 = (): SafetensorsError => ({
  _tag: 'InvalidHeaderUtf8',
  message: 'safetensors: header is not valid UTF-8',
})

export const invalidHeaderJson = (position: number, problem: string): SafetensorsError => ({
  _tag: 'InvalidHeaderJson',
  position,
  message: `safetensors: header is not valid JSON at character ${position}: ${problem}`,
})

export const invalidHeaderSchema = (field: string, value: string, expected: string): SafetensorsError => ({
  _tag: 'InvalidHeaderSchema',
  field,
  value,
  expected,
  message: `safetensors: header field ${field} is ${value}; expected ${expected}`,
})

export const unknownDtype = (tensor: string, dtype: string): SafetensorsError => ({
  _tag: 'UnknownDtype',
  tensor,
  dtype,
  message: `safetensors: tensor ${q(tensor)} has dtype ${dtype}; expected one of BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64, C64, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, F6_E2M3, F6_E3M2, F4`,
})

export const invalidMetadata = (key: string, value: string, expected: string): SafetensorsError => ({
  _tag: 'InvalidMetadata',
  key,
  value,
  expected,
  message:
    key === ''
      ? `safetensors: __metadata__ is ${value}; expected ${expected}`
      : `safetensors: __metadata__[${q(key)}] is ${value}; expected ${expected}`,
})

export const duplicateName = (name: string, scope: 'tensor' | 'metadata'): SafetensorsError => ({
  _tag: 'DuplicateName',
  name,
  scope,
  message:
    scope === 'tensor' && name === '__metadata__'
      ? 'safetensors: the "__metadata__" key appears more than once in the header; expected at most one'
      : `safetensors: ${scope === 'tensor' ? 'tensor name' : '__metadata__ key'} ${q(name)} appears more than once in the header; names must be unique`,
})

export const forbiddenName = (name: string, scope: 'tensor' | 'metadata'): SafetensorsError => ({
  _tag: 'ForbiddenName',
  name,
  scope,
  message: `safetensors: ${scope === 'tensor' ? 'tensor name' : '__metadata__ key'} ${q(name)} is not allowed; ${
    name === '__metadata__'
      ? '"__metadata__" is reserved for the metadata map'
      : '"__proto__", "constructor" and "prototype" are rejected as prototype keys'
  }`,
})

export const invalidOffset = (tensor: string, dataOffsets: readonly [number, number], expectedBegin: number): SafetensorsError => ({
  _tag: 'InvalidOffset',
  tensor,
  dataOffsets,
  expectedBegin,
  message: `safetensors: tensor ${q(tensor)} has data_offsets [${dataOffsets[0]}, ${dataOffsets[1]}]; expected it to begin at ${expectedBegin} (offsets start at 0 and run contiguously, with end >= begin)`,
})

export const validationOverflow = (tensor: string, shape: ReadonlyArray<number>, dtype: string): SafetensorsError => ({
  _tag: 'ValidationOverflow',
  tensor,
  shape,
  dtype,
  message: `safetensors: tensor ${q(tensor)} with shape ${dims(shape)} and dtype ${dtype} has a byte size above 2^53 - 1`,
})

/** `count` elements of `elementBits` bits each that do not fill whole bytes (F4, F6 types). */
export const misalignedSlice = (
  tensor: string,
  shape: ReadonlyArray<number>,
  dtype: string,
  count: number,
  elementBits: number,
): SafetensorsError => ({
  _tag: 'MisalignedSlice',
  tensor,
  shape,
  dtype,
  bits: count * elementBits,
  message: `safetensors: tensor ${q(tensor)} with shape ${dims(shape)} and dtype ${dtype} holds ${count} elements of ${elementBits} bits = ${count * elementBits} bits; expected a whole number of bytes`,
})

export const tensorInvalidInfo = (
  tensor: string,
  dtype: string,
  shape: ReadonlyArray<number>,
  byteLength: number,
  expectedByteLength: number,
): SafetensorsError => ({
  _tag: 'TensorInvalidInfo',
  tensor,
  dtype,
  shape,
  byteLength,
  expectedByteLength,
  message: `safetensors: tensor ${q(tensor)} spans ${byteLength} bytes; expected ${expectedByteLength} (dtype ${dtype} × shape ${dims(shape)})`,
})

export const metadataIncompleteBuffer = (dataEnd: number, dataLength: number): SafetensorsError => ({
  _tag: 'MetadataIncompleteBuffer',
  dataEnd,
  dataLength,
  message: `safetensors: the tensors end at data byte ${dataEnd} but the file holds ${dataLength} data bytes; expected the last tensor to end exactly at the end of the file`,
})

export const tensorTooLarge = (tensor: string, byteLength: number, limit: number): SafetensorsError => ({
  _tag: 'TensorTooLarge',
  tensor,
  byteLength,
  limit,
  message: `safetensors: tensor ${q(tensor)} holds ${byteLength} bytes; one tensor must fit one JS typed array, at most ${limit} bytes (4 GiB); split it into several tensors`,
})

export const invalidTensor = (tensor: string, field: string, value: string, expected: string): SafetensorsError => ({
  _tag: 'InvalidTensor',
  tensor,
  field,
  value,
  expected,
  message: `safetensors: tensor ${q(tensor)}: ${field} is ${value}; expected ${expected}`,
})

export const unsupportedHost = (): SafetensorsError => ({
  _tag: 'UnsupportedHost',
  message: 'safetensors: this host is big-endian; ckpt reads and writes safetensors only on little-endian hosts',
})

/** The error effectful callers throw for an invalid encode (`encodeSafetensorsOrThrow`); `error` holds the typed failure. */
export class SafetensorsEncodeError extends CkptError<SafetensorsError> {}
