/*
 * Bytes kept in pages of 256 KiB that are used again: the Map store copies each object it is given into pages, and
 * hands the pages of an object it drops to the next write. A browser makes a new buffer of a few hundred KiB or more
 * from memory the process has not touched yet, and that first touch costs more than the copy itself (docs/tfjs.md,
 * "Save speed"); pages used again are already touched. No Node built-in here.
 */
import { concatChunks } from './data.js'

/** Bytes of one page. */
export const PAGE_BYTES = 256 * 1024

/** An object's bytes: in pages of the pool, all full but the last; or, under one page, in one buffer of their own. */
export interface Paged {
  readonly pages: ReadonlyArray<Uint8Array>
  readonly size: number
  /** Whether `pages` are the pool's, to go back to it when the object is dropped. */
  readonly pooled: boolean
}

/**
 * A pool of pages. It keeps the pages of dropped objects for later writes while they are no more than the pages that
 * stored objects hold, so that the store never holds more than twice the bytes it stores (and nothing once empty).
 */
export const pagePool = () => {
  const free: Uint8Array[] = []
  /** Pages that stored objects hold. */
  let held = 0
  let made = 0
  const recycle = (pages: ReadonlyArray<Uint8Array>) => {
    for (const p of pages) if (free.length < held) free.push(p)
    free.length = Math.min(free.length, held)
  }
  const newPage = () => {
    made++
    return new Uint8Array(PAGE_BYTES)
  }
  return {
    /** Copies `chunks` into pages; on a failure of `chunks`, gives its pages back and rethrows. */
    async fill(chunks: AsyncIterable<Uint8Array>): Promise<Paged> {
      const pages: Uint8Array[] = []
      let size = 0
      const put = (chunk: Uint8Array) => {
        for (let at = 0; at < chunk.byteLength;) {
          const filled = size % PAGE_BYTES
          if (filled === 0) pages.push(free.pop() ?? newPage())
          const n = Math.min(PAGE_BYTES - filled, chunk.byteLength - at)
          pages[pages.length - 1]!.set(chunk.subarray(at, at + n), filled)
          at += n
          size += n
        }
      }
      // With no free page to take, the first bytes are copied on their own until they fill a page: a write of a
      // few bytes (an index, a lock) then makes no page.
      let first: Uint8Array[] | null = free.length === 0 ? [] : null
      try {
        for await (const chunk of chunks) {
          if (first !== null && size + chunk.byteLength < PAGE_BYTES) {
            first.push(new Uint8Array(chunk)) // not `slice`: a Buffer's is a view of the same memory
            size += chunk.byteLength
            continue
          }
          if (first !== null) {
            const copies = first
            first = null
            size = 0
            copies.forEach(put)
          }
          put(chunk)
        }
      } catch (e) {
        recycle(pages)
        throw e
      }
      if (first !== null) return { pages: [concatChunks(first, size)], size, pooled: false }
      if (size >= PAGE_BYTES) return { pages, size, pooled: true }
      const own = pages[0]?.slice(0, size) ?? new Uint8Array(0)
      recycle(pages)
      return { pages: [own], size, pooled: false }
    },
    /** Counts the pages of `p`, now stored. */
    hold(p: Paged): void {
      if (p.pooled) held += p.pages.length
    },
    /** `p`, stored, is no longer: its pages go back to the pool when `reuse` (no reader still views them). */
    drop(p: Paged, reuse: boolean): void {
      if (!p.pooled) return
      held -= p.pages.length
      recycle(reuse ? p.pages : [])
    },
    /** `p`, never stored (a refused write), gives its pages back. */
    giveBack(p: Paged): void {
      if (p.pooled) recycle(p.pages)
    },
    /** Pages kept for reuse, and pages made so far (for tests). */
    get free(): number {
      return free.length
    },
    get made(): number {
      return made
    },
  }
}

/** Copies the bytes `[start, end)` of `p` into `target` from `at`. */
export const copyOut = (p: Paged, start: number, end: number, target: Uint8Array, at = 0): void => {
  for (const piece of pieces(p, start, end)) {
    target.set(piece, at)
    at += piece.byteLength
  }
}

/** Views of the bytes `[start, end)` of `p`, one per page they touch (no copy). */
export function* pieces(p: Paged, start: number, end: number): Generator<Uint8Array, void, undefined> {
  const pageBytes = p.pooled ? PAGE_BYTES : Math.max(1, p.size)
  for (let i = Math.floor(start / pageBytes), from = start; from < end; i++) {
    const page = p.pages[i]!
    const to = Math.min(end, (i + 1) * pageBytes)
    yield page.subarray(from - i * pageBytes, to - i * pageBytes)
    from = to
  }
}
