import { canceller } from './canceller.js'
import { fail, ioError } from '../errors.js'
import type { ByteRange } from '../storage.js'
import type { S3Context } from './context.js'
import { checkUnpinned, discard, getObject } from './get.js'
import { resumable } from './resumable.js'

/**
 * A read in parts: `head`, the bytes of the first GetObject's reply from `start` on, then `rest`, the ranges still to
 * fetch, each with its own ranged GetObject pinned to `etag` (the first reply's version). The last range of a read
 * whose size no reply told ends at Infinity.
 */
export interface Parts {
  readonly start: number
  readonly head: AsyncGenerator<Uint8Array, void, undefined>
  readonly rest: ReadonlyArray<ByteRange>
  readonly etag: string | undefined
  /** The first reply's Last-Modified: what pins the parts when it had no ETag (see `checkUnpinned`). */
  readonly lastModified: Date | undefined
}

/** Parts fetched at once: `queueSize` when they are pinned to one version; without an etag, one at a time. */
const width = (ctx: S3Context, parts: Parts): number => (parts.etag === undefined ? 1 : ctx.queueSize)

/** The bytes of one of `rest`: a ranged GetObject pinned to the read's version, resumed like any read, and all of them. */
async function* partBytes(ctx: S3Context, key: string, range: ByteRange, parts: Parts, signal: AbortSignal) {
  const res = await getObject(ctx, key, range, parts.etag, signal)
  let got = 0
  if (res !== null) {
    try {
      checkUnpinned(key, { ETag: parts.etag, LastModified: parts.lastModified }, res)
    } catch (e) {
      discard(res)
      throw e
    }
    for await (const chunk of resumable(ctx, key, res, range, signal)) {
      got += chunk.byteLength
      yield chunk
    }
  }
  // A part pinned to the version whose size the first reply told is whole; fewer bytes mean a server gone wrong.
  if (range.end !== Infinity && got !== range.end - range.start)
    fail(ioError(key, `S3 read of key "${key}" failed: bytes ${range.start}-${range.end - 1} came back as ${got} bytes`, null))
}

/**
 * The bytes of `parts` in order. While the head streams, up to `queueSize` later parts are fetched and held (so at
 * most about `(queueSize + 1) × partSize` bytes are held); each part handed on starts the next. A failed part stops
 * the read, and the parts in flight are cancelled; so is everything when the consumer stops early.
 */
export async function* partsInOrder(ctx: S3Context, key: string, parts: Parts): AsyncGenerator<Uint8Array, void, undefined> {
  if (parts.rest.length === 0) return yield* parts.head
  const cancel = canceller()
  const ahead: Array<Promise<Uint8Array[]>> = []
  let next = 0
  const fetchNext = () => {
    const range = parts.rest[next++]!
    const held = (async () => {
      const chunks: Uint8Array[] = []
      for await (const chunk of partBytes(ctx, key, range, parts, cancel.signal)) chunks.push(chunk)
      return chunks
    })()
    held.catch(() => undefined) // awaited in turn below; one cancelled after a failure is never awaited
    ahead.push(held)
  }
  try {
    while (next < parts.rest.length && ahead.length < width(ctx, parts)) fetchNext()
    yield* parts.head
    while (ahead.length > 0) {
      const chunks = await ahead.shift()!
      if (next < parts.rest.length) fetchNext()
      yield* chunks
    }
  } finally {
    cancel.abort()
    await parts.head.return()
  }
}

/**
 * Fills `out` (the read's length) with `parts`, up to `queueSize` at once, each copied straight to its place. The
 * first failure cancels the others and is thrown once they have stopped.
 */
export const partsInto = async (ctx: S3Context, key: string, parts: Parts, out: Uint8Array): Promise<Uint8Array> => {
  const cancel = canceller()
  const headEnd = parts.rest[0]?.start ?? parts.start + out.byteLength
  const jobs: Array<{ readonly range: ByteRange; readonly chunks: () => AsyncIterable<Uint8Array> }> = [
    { range: { start: parts.start, end: headEnd }, chunks: () => parts.head },
    ...parts.rest.map((range) => ({ range, chunks: () => partBytes(ctx, key, range, parts, cancel.signal) })),
  ]
  let failure: { readonly error: unknown } | null = null
  let taken = 0
  const worker = async (): Promise<void> => {
    while (failure === null && taken < jobs.length) {
      const { range, chunks } = jobs[taken++]!
      let at = range.start - parts.start
      try {
        for await (const chunk of chunks()) {
          if (cancel.signal.aborted) break
          out.set(chunk, at)
          at += chunk.byteLength
        }
      } catch (e) {
        failure ??= { error: e }
        cancel.abort()
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(width(ctx, parts), jobs.length) }, worker))
  } finally {
    await parts.head.return()
  }
  if (failure !== null) throw (failure as { readonly error: unknown }).error
  return out
}
