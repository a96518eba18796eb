import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import type { SafetensorsError } from '../tensors/errors.js'
import { readFrame, type SafetensorsFrame } from '../tensors/frame.js'
import { MAX_HEADER_SIZE } from '../tensors/header.js'

/** The first read of a header: most fit (a ckpt header is a few kB), and a smaller file is read whole. */
const HEAD_BYTES = 64 * 1024

/**
 * The validated header of the safetensors file at `key` (its tensors, metadata and the file's length), or why it is
 * not a valid safetensors file as far as its header tells. Reads the header only, whatever the file's size: one
 * ranged read for a small file, then a `stat` and the rest of a longer header for a large one. Rejects with the
 * storage's error (a missing file is its `NotFound`).
 */
export const readSafetensorsHead = async (
  storage: Storage,
  key: string,
): Promise<E.Either<SafetensorsError, SafetensorsFrame & { readonly fileLength: number }>> => {
  const first = await storage.read(key, { start: 0, end: HEAD_BYTES })
  const size = first.byteLength < HEAD_BYTES ? first.byteLength : ((await storage.stat(key))?.size ?? first.byteLength)
  let head = first
  if (first.byteLength >= 8) {
    const declared = Number(new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true))
    if (declared <= MAX_HEADER_SIZE && 8 + declared <= size && 8 + declared > first.byteLength) {
      head = new Uint8Array(8 + declared)
      head.set(first)
      head.set(await storage.read(key, { start: first.byteLength, end: 8 + declared }), first.byteLength)
    }
  }
  return E.map((frame: SafetensorsFrame) => ({ ...frame, fileLength: size }))(readFrame(head, size))
}
