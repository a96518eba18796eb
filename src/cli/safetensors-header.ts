import * as E from '#fp-ts/Either.js'
import { open } from 'node:fs/promises'
import type { SafetensorsError } from '../tensors/errors.js'
import { readFrame, type SafetensorsFrame } from '../tensors/frame.js'
import type { TensorInfo } from '../tensors/header.js'
import { HEAD_BYTES, headFrom } from '../checkpointer/safetensors-head.js'

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
    const read = async (start: number, end: number) => {
      const bytes = new Uint8Array(end - start)
      await handle.read(bytes, 0, bytes.length, start)
      return bytes
    }
    return validateSafetensorsHeader(await headFrom(await read(0, Math.min(size, HEAD_BYTES)), size, read), size)
  } finally {
    await handle.close()
  }
}
