import { createSha256 } from '#platform/sha256.js'
import { readAhead } from './read-ahead.js'

/** An incremental SHA-256 (node:crypto's in Node, plain JavaScript in browsers: see `#platform/sha256.js`). */
type Sha256 = ReturnType<typeof createSha256>

export interface Digest {
  readonly size: number
  /** `sha256:` followed by 64 hex digits. */
  readonly sha256: string
}

/** Most bytes given to one `hash.update`: a bounded call, whatever the size of the buffer hashed. */
const UPDATE_BYTES = 64 * 1024 * 1024

/** Feeds `bytes` to `hash` in bounded slices. */
export const hashInto = (hash: Sha256, bytes: Uint8Array): void => {
  for (let at = 0; at < bytes.byteLength; at += UPDATE_BYTES) hash.update(bytes.subarray(at, Math.min(at + UPDATE_BYTES, bytes.byteLength)))
}

/** A new SHA-256 hash, and its value in the index's `sha256:…` form. */
export const sha256 = (): Sha256 => createSha256()
export const sha256Text = (hash: Sha256): string => `sha256:${hash.hex()}`

export const digestOf = (bytes: Uint8Array): Digest => {
  const hash = sha256()
  hashInto(hash, bytes)
  return { size: bytes.byteLength, sha256: sha256Text(hash) }
}

/** The size and SHA-256 of a stream of chunks, read one chunk ahead of the hashing (see `readAhead`). */
export const digestStream = async (chunks: AsyncIterable<Uint8Array>): Promise<Digest> => {
  const source = readAhead(chunks)
  const hash = sha256()
  let size = 0
  try {
    for (let c = await source.next(); c !== null; c = await source.next()) {
      hashInto(hash, c)
      size += c.byteLength
    }
  } finally {
    await source.close()
  }
  return { size, sha256: sha256Text(hash) }
}
