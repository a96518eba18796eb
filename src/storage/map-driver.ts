/* eslint-disable @typescript-eslint/require-await -- `async` so that a throw (a bad key, a missing object) rejects, as the contract asks */
import { checkRange, chunksOf, clampRange, concatChunks } from './data.js'
import { StorageFailure, alreadyExists, notFound, orThrow, preconditionFailed } from './errors.js'
import { compareKeys, validateKey, validatePrefix } from './keys.js'
import type { ByteRange, ObjectInfo, StorageDriver, WriteData, WriteOptions } from './storage.js'

interface Stored {
  readonly bytes: Uint8Array
  readonly etag: string
}

/** Bytes of one chunk of `readStream`. */
const STREAM_CHUNK = 1 << 20

/**
 * A driver over a `Map` of keys to bytes, with nothing but the language: the memory storage of browser builds.
 * A write copies its chunks as they arrive and commits in one synchronous step after the last, so the check of
 * `ifAbsent` or `ifMatch` and the replacement cannot interleave with another write, and a producer that fails
 * leaves the old object as it was. Stored bytes are never changed: a reader sees one whole version.
 */
export const mapDriver = (name = 'memory'): StorageDriver => {
  const objects = new Map<string, Stored>()
  let generation = 0
  const infoOf = (o: Stored): ObjectInfo => ({ size: o.bytes.byteLength, etag: o.etag })
  /** The object at a valid key, and the clamped range of it asked for. */
  const found = (key: string, range: ByteRange | undefined): { bytes: Uint8Array; start: number; end: number } => {
    const r = orThrow(checkRange(key, range))
    const o = objects.get(orThrow(validateKey(key)))
    if (o === undefined) throw new StorageFailure(notFound(key))
    return { bytes: o.bytes, ...clampRange(r, o.bytes.byteLength) }
  }

  return {
    name,
    capabilities: { ifAbsent: true, ifMatch: true },

    async write(key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo> {
      const k = orThrow(validateKey(key))
      const parts: Uint8Array[] = []
      // Copied as they arrive: the caller may reuse a chunk's buffer once it has handed the next one. Not `slice`:
      // a Buffer's (Node's, or a bundler's polyfill) is a view of the same memory.
      for await (const chunk of chunksOf(k, data)) parts.push(new Uint8Array(chunk))
      const bytes = concatChunks(parts)
      // From here to the `set`, no await.
      const current = objects.get(k)
      if (options?.ifAbsent === true && current !== undefined) throw new StorageFailure(alreadyExists(k))
      if (options?.ifMatch !== undefined && current?.etag !== options.ifMatch)
        throw new StorageFailure(
          preconditionFailed(k, `ifMatch ${options.ifMatch} failed for key "${k}": current etag is ${current?.etag ?? 'none (missing)'}`),
        )
      const stored: Stored = { bytes, etag: `m${++generation}` }
      objects.set(k, stored)
      return infoOf(stored)
    },

    async read(key: string, range?: ByteRange): Promise<Uint8Array> {
      const { bytes, start, end } = found(key, range)
      return bytes.slice(start, end)
    },

    async readInto(key: string, range: ByteRange, target: Uint8Array): Promise<number> {
      const { bytes, start, end } = found(key, range)
      target.set(bytes.subarray(start, end))
      return end - start
    },

    async readStream(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
      const { bytes, start, end } = found(key, range)
      return (async function* () {
        for (let at = start; at < end; at += STREAM_CHUNK) yield bytes.slice(at, Math.min(at + STREAM_CHUNK, end))
      })()
    },

    async list(prefix?: string): Promise<ReadonlyArray<string>> {
      const p = orThrow(validatePrefix(prefix)).prefix
      return [...objects.keys()].filter((k) => k.startsWith(p)).sort(compareKeys)
    },

    async remove(key: string): Promise<void> {
      objects.delete(orThrow(validateKey(key)))
    },

    async stat(key: string): Promise<ObjectInfo | null> {
      const o = objects.get(orThrow(validateKey(key)))
      return o === undefined ? null : infoOf(o)
    },
  }
}
