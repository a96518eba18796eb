import { fail } from '../errors.js'
import { invalidArchive } from './archive-errors.js'

/**
 * Bytes read in order from chunks of any size (a fetch's body, a file's stream): exact reads for headers, and
 * bounded views for data, with no copy unless a header spans two chunks. Holds at most one chunk of the source.
 */
export interface ByteSource {
  /** Bytes consumed so far: the offset of the next byte in the archive. */
  readonly offset: number
  /** The next `n` bytes, or null at the very end of the source; fails as truncated when the source ends among them. */
  exact(n: number, what: string): Promise<Uint8Array | null>
  /** The next `n` bytes as views of the source's chunks, in order; fails as truncated when the source ends first. */
  take(n: number, what: string): AsyncGenerator<Uint8Array, void, undefined>
  /** Stops reading the source (cancels a stream). Never rejects. */
  close(): Promise<void>
}

const truncated = (offset: number, missing: number, what: string): never =>
  fail(
    invalidArchive(
      'archive length',
      `${offset} bytes`,
      `${missing} more byte${missing === 1 ? '' : 's'} (${what})`,
      offset,
      'the archive ends early: truncated',
    ),
  )

export const byteSource = (chunks: AsyncIterable<unknown> | Iterable<unknown>): ByteSource => {
  const iterator: AsyncIterator<unknown> | Iterator<unknown> =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]()
  let current: Uint8Array = new Uint8Array(0)
  let offset = 0
  let ended = false

  /** Makes `current` non-empty; false at the end of the source. */
  const fill = async (): Promise<boolean> => {
    while (current.byteLength === 0) {
      if (ended) return false
      const r = await iterator.next()
      if (r.done === true) {
        ended = true
        return false
      }
      const v: unknown = r.value
      if (!(v instanceof Uint8Array))
        return fail(invalidArchive('chunk', Object.prototype.toString.call(v), 'chunks of bytes (Uint8Array)', offset))
      current = v
    }
    return true
  }

  const advance = (n: number): Uint8Array => {
    const out = current.subarray(0, n)
    current = current.subarray(n)
    offset += n
    return out
  }

  return {
    get offset() {
      return offset
    },
    async exact(n, what) {
      if (!(await fill())) return null
      if (current.byteLength >= n) return advance(n)
      const out = new Uint8Array(n)
      let at = 0
      while (at < n) {
        if (!(await fill())) return truncated(offset, n - at, what)
        const piece = advance(Math.min(n - at, current.byteLength))
        out.set(piece, at)
        at += piece.byteLength
      }
      return out
    },
    async *take(n, what) {
      let left = n
      while (left > 0) {
        if (!(await fill())) return truncated(offset, left, what)
        const piece = advance(Math.min(left, current.byteLength))
        left -= piece.byteLength
        yield piece
      }
    },
    async close() {
      ended = true
      current = new Uint8Array(0)
      try {
        await iterator.return?.()
      } catch {
        // the source's own cleanup failed: nothing more is read from it either way
      }
    },
  }
}
