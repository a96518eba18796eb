import { fail, notFound } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'

/**
 * Where the HDF5 reader gets its bytes: a file in memory, or a key of a Storage read in ranges (the metadata
 * through a small page cache, each dataset's data in one ranged read of its own), so a file of any size is
 * read without being held whole.
 */

export interface ByteSource {
  /** The file's length in bytes. */
  readonly size: number
  /** The `length` bytes at `offset` (within `size`): a view for a file in memory, a fresh buffer from a storage. */
  read(offset: number, length: number): Promise<Uint8Array>
  /**
   * The `length` bytes at `offset` in a buffer the caller may keep: its own ArrayBuffer at offset 0 from a storage,
   * a view (no copy) for a file in memory.
   */
  readData(offset: number, length: number): Promise<Uint8Array>
}

/** A file held in memory: reads are views of `bytes`. */
export const bytesSource = (bytes: Uint8Array): ByteSource => ({
  size: bytes.length,
  read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  readData: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
})

/** Metadata is read in pages of this size (a Keras file's metadata sits in a few places, each far smaller). */
export const PAGE_BYTES = 64 * 1024
/** Pages kept: enough for the metadata of a large model, bounded whatever the file. */
const CACHED_PAGES = 256

/** The etag a storage reported when the source was opened: compared after the read, to see a file replaced meanwhile. */
export interface StorageSource extends ByteSource {
  readonly etag: string
}

/**
 * The object at `key` of `storage`, read in ranges. Rejects with the storage's `NotFound` when it is missing.
 * Reads of up to a page go through a cache of pages; larger ones are one ranged read each.
 */
export const storageSource = async (storage: Storage, key: string): Promise<StorageSource> => {
  const info = await storage.stat(key)
  if (info === null) return fail(notFound(key))
  const size = info.size
  const pages = new Map<number, Promise<Uint8Array>>()
  const page = (n: number): Promise<Uint8Array> => {
    const cached = pages.get(n)
    if (cached !== undefined) {
      pages.delete(n) // re-inserted: the Map's order is the recency order
      pages.set(n, cached)
      return cached
    }
    const loading = storage.read(key, { start: n * PAGE_BYTES, end: Math.min(size, (n + 1) * PAGE_BYTES) })
    pages.set(n, loading)
    loading.catch(() => pages.delete(n))
    if (pages.size > CACHED_PAGES) pages.delete(pages.keys().next().value as number)
    return loading
  }
  const shrank = (at: number): RangeError => new RangeError(`'${key}' ended at byte ${at} while it was read (it was ${size} bytes)`)
  const readData = async (offset: number, length: number): Promise<Uint8Array> => {
    const bytes = await storage.read(key, { start: offset, end: offset + length })
    if (bytes.length !== length) throw shrank(offset + bytes.length)
    return bytes
  }
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    if (length > PAGE_BYTES) return readData(offset, length)
    const first = Math.floor(offset / PAGE_BYTES)
    const at = offset - first * PAGE_BYTES
    const a = await page(first)
    if (at + length <= a.length) return a.subarray(at, at + length)
    if (a.length < PAGE_BYTES) throw shrank(first * PAGE_BYTES + a.length)
    const b = await page(first + 1) // at most two pages: length is at most one
    const head = a.length - at
    if (b.length < length - head) throw shrank((first + 1) * PAGE_BYTES + b.length)
    const out = new Uint8Array(length)
    out.set(a.subarray(at), 0)
    out.set(b.subarray(0, length - head), head)
    return out
  }
  return { size, etag: info.etag, read, readData }
}
