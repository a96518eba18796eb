import * as E from '#fp-ts/Either.js'
import {
  headerTooLarge,
  headerTooSmall,
  invalidHeaderJson,
  invalidHeaderLength,
  invalidHeaderUtf8,
  metadataIncompleteBuffer,
  type SafetensorsError,
} from './errors.js'
import { MAX_HEADER_SIZE, readHeader, type Header } from './header.js'
import { parseJson } from './json.js'

/** A validated file frame: the header, and where the data starts (8 + the header's length). */
export interface SafetensorsFrame {
  readonly header: Header & { readonly dataEnd: number }
  readonly dataStart: number
}

/**
 * The length prefix and JSON header of a safetensors file of `fileLength` bytes, checked as the reference
 * reader does, including that the data ends exactly at the end of the file. `head` holds the file's first
 * bytes: at least 8 plus the declared header length where the file has them. The data itself is not read,
 * so a file of any size can be checked from its first bytes.
 */
export const readFrame = (head: Uint8Array, fileLength: number): E.Either<SafetensorsError, SafetensorsFrame> => {
  if (fileLength < 8) return E.left(headerTooSmall(fileLength))
  const declared = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true)
  if (declared > BigInt(MAX_HEADER_SIZE)) return E.left(headerTooLarge(declared))
  const n = Number(declared)
  if (8 + n > fileLength) return E.left(invalidHeaderLength(n, fileLength))
  const headerBytes = head.subarray(8, 8 + n)
  let text: string
  try {
    // TextDecoder refuses views of a SharedArrayBuffer: decode a copy of the header then.
    const decodable = headerBytes.buffer instanceof ArrayBuffer ? headerBytes : headerBytes.slice()
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(decodable)
  } catch {
    return E.left(invalidHeaderUtf8())
  }
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(invalidHeaderJson(json.left.position, json.left.problem))
  const header = readHeader(json.right)
  if (E.isLeft(header)) return header
  const dataStart = 8 + n
  if (header.right.dataEnd !== fileLength - dataStart) return E.left(metadataIncompleteBuffer(header.right.dataEnd, fileLength - dataStart))
  return E.right({ header: header.right, dataStart })
}
