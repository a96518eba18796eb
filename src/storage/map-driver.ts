/* eslint-disable @typescript-eslint/require-await -- `async` so that a throw (a bad key, a missing object) rejects, as the contract asks */
import { allocate, checkRange, chunksOf, clampRange } from './data.js'
import { StorageFailure, alreadyExists, notFound, orThrow, preconditionFailed } from './errors.js'
import { compareKeys, validateKey, validatePrefix } from './keys.js'
import { copyOut, pagePool, pieces, type Paged } from './page-pool.js'
import type { ByteRange, ObjectInfo, StorageDriver, WriteData, WriteOptions } from './storage.js'

interface Stored {
  readonly bytes: Paged
  readonly etag: string
  /** `readStream`s still reading it: its pages are not reused while any is. */
  streams: number
}

/**
 * A driver over a `Map` of keys to bytes, with nothing but the language: the memory storage of browser builds.
 * A write copies its chunks as they arrive (into pages used again, see page-pool.ts) and commits in one synchronous
 * step after the last, so the check of `ifAbsent` or `ifMatch` and the replacement cannot interleave with another
 * write, and a producer that fails leaves the old object as it was. Stored bytes are never changed while stored, and
 * reads hand out copies: a reader sees one whole version.
 */
export const mapDriver = (name = 'memory'): StorageDriver => {
  const objects = new Map<string, Stored>()
  const pool = pagePool()
  let generation = 0
  const infoOf = (o: Stored): ObjectInfo => ({ size: o.bytes.size, etag: o.etag })
  /** The object at a valid key, and the clamped range of it asked for. */
  const found = (key: string, range: ByteRange | undefined): { object: Stored; start: number; end: number } => {
    const r = orThrow(checkRange(key, range))
    const o = objects.get(orThrow(validateKey(key)))
    if (o === undefined) throw new StorageFailure(notFound(key))
    return { object: o, ...clampRange(r, o.bytes.size) }
  }
  const drop = (o: Stored | undefined) => {
    if (o !== undefined) pool.drop(o.bytes, o.streams === 0)
  }

  return {
    name,
    capabilities: { ifAbsent: true, ifMatch: true },

    async write(key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo> {
      const k = orThrow(validateKey(key))
      // Copied as they arrive (never by a chunk's `slice`: a Buffer's is a view of the same memory): the caller may
      // reuse a chunk's buffer once it has handed the next one.
      const bytes = await pool.fill(chunksOf(k, data))
      // From here to the `set`, no await.
      const current = objects.get(k)
      const refused =
        options?.ifAbsent === true && current !== undefined
          ? alreadyExists(k)
          : options?.ifMatch !== undefined && current?.etag !== options.ifMatch
            ? preconditionFailed(
                k,
                `ifMatch ${options.ifMatch} failed for key "${k}": current etag is ${current?.etag ?? 'none (missing)'}`,
              )
            : null
      if (refused !== null) {
        pool.giveBack(bytes)
        throw new StorageFailure(refused)
      }
      const stored: Stored = { bytes, etag: `m${++generation}`, streams: 0 }
      pool.hold(bytes)
      objects.set(k, stored)
      drop(current)
      return infoOf(stored)
    },

    async read(key: string, range?: ByteRange): Promise<Uint8Array> {
      const { object, start, end } = found(key, range)
      const out = allocate(end - start, key)
      copyOut(object.bytes, start, end, out)
      return out
    },

    async readInto(key: string, range: ByteRange, target: Uint8Array): Promise<number> {
      const { object, start, end } = found(key, range)
      copyOut(object.bytes, start, end, target)
      return end - start
    },

    async readStream(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> {
      const { object, start, end } = found(key, range)
      object.streams++
      return (async function* () {
        try {
          // Copies, one per page: the caller may keep or change them.
          for (const piece of pieces(object.bytes, start, end)) yield piece.slice()
        } finally {
          object.streams--
        }
      })()
    },

    async list(prefix?: string): Promise<ReadonlyArray<string>> {
      const p = orThrow(validatePrefix(prefix)).prefix
      return [...objects.keys()].filter((k) => k.startsWith(p)).sort(compareKeys)
    },

    async remove(key: string): Promise<void> {
      const k = orThrow(validateKey(key))
      drop(objects.get(k))
      objects.delete(k)
    },

    async stat(key: string): Promise<ObjectInfo | null> {
      const o = objects.get(orThrow(validateKey(key)))
      return o === undefined ? null : infoOf(o)
    },
  }
}
