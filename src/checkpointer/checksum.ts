import { createHash, type Hash } from 'node:crypto'
import type { WriteData } from '../storage/storage.js'
import { readAhead } from './read-ahead.js'

export interface Digest {
  readonly size: number
  /** `sha256:` followed by 64 hex digits. */
  readonly sha256: string
}

const toAsync = async function* (data: WriteData): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) yield data
  else yield* data as AsyncIterable<Uint8Array>
}

/** Hashing proceeds in slices of this size... */
const SLICE = 1 << 20
/** ...for at most this long per event-loop turn, so that it never holds up the writes' I/O callbacks for long. */
const TURN_MS = 2

/**
 * Wraps chunks on their way to storage and hashes them. Hashing runs on this thread in the event-loop turns
 * after each chunk is handed on, 1 MiB slices for at most 2 ms a turn, while the storage's writes and fsync run
 * in libuv's pool; what is left when `digest()` is called is hashed at once.
 * The chunks must not change until `digest()` resolves.
 */
export const hashingStream = (data: WriteData): { readonly data: AsyncIterable<Uint8Array>; digest(): Promise<Digest> } => {
  const hash = createHash('sha256')
  const queue: Uint8Array[] = []
  let size = 0
  let scheduled = false
  const hashFor = (ms: number) => {
    const until = performance.now() + ms
    while (queue.length > 0 && performance.now() < until) hash.update(queue.shift()!)
  }
  const pump = () => {
    scheduled = false
    hashFor(TURN_MS)
    if (queue.length > 0) schedule()
  }
  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(pump)
  }
  const wrapped = (async function* () {
    for await (const chunk of toAsync(data)) {
      size += chunk.byteLength
      for (let at = 0; at < chunk.byteLength; at += SLICE) queue.push(chunk.subarray(at, Math.min(at + SLICE, chunk.byteLength)))
      schedule()
      yield chunk
    }
  })()
  return {
    data: wrapped,
    digest: () => {
      hashFor(Infinity)
      return Promise.resolve({ size, sha256: `sha256:${hash.digest('hex')}` })
    },
  }
}

/** Most bytes given to one `hash.update`: a bounded call, whatever the size of the buffer hashed. */
const UPDATE_BYTES = 64 * 1024 * 1024

/** Feeds `bytes` to `hash` in bounded slices. */
export const hashInto = (hash: Hash, bytes: Uint8Array): void => {
  for (let at = 0; at < bytes.byteLength; at += UPDATE_BYTES) hash.update(bytes.subarray(at, Math.min(at + UPDATE_BYTES, bytes.byteLength)))
}

/** A new SHA-256 hash, and its value in the index's `sha256:…` form. */
export const sha256 = (): Hash => createHash('sha256')
export const sha256Text = (hash: Hash): string => `sha256:${hash.digest('hex')}`

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
