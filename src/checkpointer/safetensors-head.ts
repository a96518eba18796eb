import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import type { SafetensorsError } from '../tensors/errors.js'
import { readFrame, type SafetensorsFrame } from '../tensors/frame.js'
import { MAX_HEADER_SIZE } from '../tensors/header.js'

/** The first read of a header: most fit (a ckpt header is a few kB), and a smaller file is read whole. */
export const HEAD_BYTES = 64 * 1024

/**
 * The bytes of the header still to read after the `first` bytes of a safetensors file of `size` bytes: from the end of
 * `first` to 8 + n, n its declared header length; null when `first` holds the header, or when the declared length is
 * out of bounds (then `first` is all `readFrame` needs to say so).
 */
const restOfHeader = (first: Uint8Array, size: number): { readonly start: number; readonly end: number } | null => {
  if (first.byteLength < 8) return null
  const declared = Number(new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true))
  return declared > MAX_HEADER_SIZE || 8 + declared > size || 8 + declared <= first.byteLength
    ? null
    : { start: first.byteLength, end: 8 + declared }
}

const joined = (first: Uint8Array, rest: Uint8Array): Uint8Array => {
  const head = new Uint8Array(first.byteLength + rest.byteLength)
  head.set(first)
  head.set(rest, first.byteLength)
  return head
}

/** The first 8 + n bytes of a safetensors file of `size` bytes given its `first` bytes, the rest read with `read`. */
export const headFrom = async (first: Uint8Array, size: number, read: (start: number, end: number) => Promise<Uint8Array>) => {
  const rest = restOfHeader(first, size)
  return rest === null ? first : joined(first, await read(rest.start, rest.end))
}

/**
 * The validated header of the safetensors file at `key` (its tensors, metadata and the file's length), or why it is
 * not a valid safetensors file as far as its header tells. Reads the header only, whatever the file's size: one
 * ranged read for a small file, then a `stat` and the rest of a longer header (up to 100 MB) for a large one; or,
 * when `large` is false, null instead of that second read (a scan reads those later, one at a time). Rejects with
 * the storage's error (a missing file is its `NotFound`).
 */
export async function readSafetensorsHead(storage: Storage, key: string): Promise<Head>
export async function readSafetensorsHead(storage: Storage, key: string, large: boolean): Promise<Head | null>
export async function readSafetensorsHead(storage: Storage, key: string, large = true): Promise<Head | null> {
  const first = await storage.read(key, { start: 0, end: HEAD_BYTES })
  const size = first.byteLength < HEAD_BYTES ? first.byteLength : ((await storage.stat(key))?.size ?? first.byteLength)
  const rest = restOfHeader(first, size)
  if (rest !== null && !large) return null
  const head = rest === null ? first : joined(first, await storage.read(key, rest))
  return E.map((frame: SafetensorsFrame) => ({ ...frame, fileLength: size }))(readFrame(head, size))
}

/** A validated header and the file's length, or why the file is not valid safetensors. */
export type Head = E.Either<SafetensorsError, SafetensorsFrame & { readonly fileLength: number }>
