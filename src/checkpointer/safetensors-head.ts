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
 * ranged read for a small file, then a `stat` and the rest of a longer header (up to 100 MB) for a large one; or,
 * when `large` is false, null instead of that second read (a scan reads those later, one at a time). Rejects with
 * the storage's error (a missing file is its `NotFound`).
 */
export async function readSafetensorsHead(storage: Storage, key: string): Promise<Head>
export async function readSafetensorsHead(storage: Storage, key: string, large: boolean): Promise<Head | null>
export async function readSafetensorsHead(storage: Storage, key: string, large = true): Promise<Head | null> {
  const first = await storage.read(key, { start: 0, end: HEAD_BYTES })
  const size = first.byteLength < HEAD_BYTES ? first.byteLength : ((await storage.stat(key))?.size ?? first.byteLength)
  let head = first
  if (first.byteLength >= 8) {
    const declared = Number(new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true))
    if (declared <= MAX_HEADER_SIZE && 8 + declared <= size && 8 + declared > first.byteLength) {
      if (!large) return null
      head = new Uint8Array(8 + declared)
      head.set(first)
      head.set(await storage.read(key, { start: first.byteLength, end: 8 + declared }), first.byteLength)
    }
  }
  return E.map((frame: SafetensorsFrame) => ({ ...frame, fileLength: size }))(readFrame(head, size))
}

/** A validated header and the file's length, or why the file is not valid safetensors. */
export type Head = E.Either<SafetensorsError, SafetensorsFrame & { readonly fileLength: number }>
