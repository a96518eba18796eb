import * as E from 'fp-ts/lib/Either.js'
import { open } from 'node:fs/promises'
import { MAX_HEADER_SIZE, readHeader, type TensorInfo } from '../tensors/header.js'
import {
  headerTooLarge,
  headerTooSmall,
  invalidHeaderJson,
  invalidHeaderLength,
  invalidHeaderUtf8,
  metadataIncompleteBuffer,
  type SafetensorsError,
} from '../tensors/errors.js'
import { parseJson } from '../tensors/json.js'

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
export const validateSafetensorsHeader = (headerBytes: Uint8Array, fileBytes: number): E.Either<SafetensorsError, SafetensorsSummary> => {
  if (fileBytes < 8) return E.left(headerTooSmall(fileBytes))
  const declared = new DataView(headerBytes.buffer, headerBytes.byteOffset, 8).getBigUint64(0, true)
  if (declared > BigInt(MAX_HEADER_SIZE)) return E.left(headerTooLarge(declared))
  const n = Number(declared)
  if (8 + n > fileBytes) return E.left(invalidHeaderLength(n, fileBytes))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes.subarray(8, 8 + n))
  } catch {
    return E.left(invalidHeaderUtf8())
  }
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(invalidHeaderJson(json.left.position, json.left.problem))
  const header = readHeader(json.right)
  if (E.isLeft(header)) return header
  const dataBytes = fileBytes - 8 - n
  if (header.right.dataEnd !== dataBytes) return E.left(metadataIncompleteBuffer(header.right.dataEnd, dataBytes))
  return E.right({ tensors: header.right.tensors, metadata: [...(header.right.metadata ?? [])], headerBytes: n, dataBytes, fileBytes })
}

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
