import * as E from '#fp-ts/Either.js'
import { open } from 'node:fs/promises'
import type { SafetensorsError } from '../tensors/errors.js'
import { readFrame, type SafetensorsFrame } from '../tensors/frame.js'
import { MAX_HEADER_SIZE, type TensorInfo } from '../tensors/header.js'

/** What `inspect` shows of a safetensors file: its header, validated, without reading the tensor data. */
export interface SafetensorsSummary {
  readonly tensors: ReadonlyArray<TensorInfo>
  readonly metadata: ReadonlyArray<readonly [string, string]>
  /** The JSON header's length in bytes (after the 8-byte length). */
  readonly headerBytes: number
  readonly dataBytes: number
  readonly fileBytes: number
}

/**
 * Validates a safetensors header against the file's length exactly as `decodeSafetensors` does (same checks,
 * same errors, via the same header reader), reading only the first 8 + header bytes, so files of any size
 * can be inspected.
 */
export const validateSafetensorsHeader = (headerBytes: Uint8Array, fileBytes: number): E.Either<SafetensorsError, SafetensorsSummary> =>
  E.map(({ header, dataStart }: SafetensorsFrame) => ({
    tensors: header.tensors,
    metadata: [...(header.metadata ?? [])],
    headerBytes: dataStart - 8,
    dataBytes: fileBytes - dataStart,
    fileBytes,
  }))(readFrame(headerBytes, fileBytes))

/** Reads the header of the safetensors file at `path` (the first 8 + n bytes only) and validates it. */
export const readSafetensorsHeader = async (path: string): Promise<E.Either<SafetensorsError, SafetensorsSummary>> => {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const head = new Uint8Array(Math.min(size, 8))
    await handle.read(head, 0, head.length, 0)
    if (size < 8) return validateSafetensorsHeader(head, size)
    const declared = new DataView(head.buffer).getBigUint64(0, true)
    const n = declared > BigInt(MAX_HEADER_SIZE) || Number(declared) + 8 > size ? 0 : Number(declared)
    const bytes = new Uint8Array(8 + n)
    bytes.set(head)
    if (n > 0) await handle.read(bytes, 8, n, 8)
    return validateSafetensorsHeader(bytes, size)
  } finally {
    await handle.close()
  }
}
