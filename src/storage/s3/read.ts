import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { allocate, checkReadSize, clampRange } from '../data.js'
import { StorageFailure, fail, ioError, notFound } from '../errors.js'
import type { ByteRange } from '../storage.js'
import type { S3Context } from './context.js'
import { bodySpan, discard, getObject } from './get.js'
import { headInfo } from './head.js'
import { sdkFailure } from './sdk-errors.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Exponential backoff with full jitter: up to 100 ms × 2^(attempt-1), at most 5 s. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1))

/**
 * The bytes `want` of the object, from a first GetObject answer onwards. A body that fails, or ends before its
 * headers or the object's size say (reset, truncation), is resumed from the next byte needed with a ranged
 * GetObject pinned to the same version by If-Match, up to `maxAttempts` times. Bytes outside `want` that a server
 * sends anyway are dropped. `want.end` may be Infinity: while no reply has told the object's size (chunked replies
 * carry no Content-Length), a body that ends cleanly ends where the object ends.
 */
async function* resumable(
  ctx: S3Context,
  key: string,
  first: GetObjectCommandOutput,
  want: ByteRange,
): AsyncGenerator<Uint8Array, void, undefined> {
  type Body = AsyncIterable<Uint8Array> & { destroy?: () => void }
  let res = first
  let body = first.Body as Body | undefined
  const etag = first.ETag
  let at = want.start
  let end = want.end
  let size: number | undefined
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        if (body === undefined) throw new Error('GetObject returned no body')
        const span = bodySpan(res)
        if (span.size !== undefined) {
          size = span.size
          end = Math.min(end, size)
        }
        let offset = span.start
        if (offset > at) throw new Error(`server answered from byte ${offset}, needed ${at}`)
        for await (const chunk of body) {
          const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(chunk)
          const usable = bytes.subarray(Math.max(0, at - offset), Math.max(0, end - offset))
          offset += bytes.byteLength
          at += usable.byteLength
          if (usable.byteLength > 0) yield usable
          if (at >= end) return
        }
        if (span.end !== undefined && offset < span.end) throw new Error(`body ended at byte ${offset}, its headers say ${span.end}`)
        if (size !== undefined) throw new Error(`body ended after ${at - want.start} of ${end - want.start} bytes`)
        return
      } catch (e) {
        if (e instanceof StorageFailure) throw e
        body?.destroy?.()
        if (attempt >= ctx.maxAttempts) throw sdkFailure(key, `reading the body (after ${attempt} attempts)`, e)
        await sleep(backoffMs(attempt))
        const next = await getObject(ctx, key, { start: at, end }, etag)
        if (next === null) {
          // Nothing from `at` on, in the same version: an object of unknown size ends there.
          if (size === undefined) return
          return fail(ioError(key, `S3 read of key "${key}" failed: the object shrank while it was being read`, null))
        }
        res = next
        body = next.Body as Body | undefined
      }
    }
  } finally {
    body?.destroy?.()
  }
}

/**
 * Opens a read of a valid key: the first GetObject (reporting NotFound), then the resumable body. `length` is the
 * number of bytes to come, unknown when the reply does not tell the object's size (chunked, no Content-Length).
 */
export const streamObject = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
): Promise<{ length: number | undefined; chunks: AsyncIterable<Uint8Array> }> => {
  const empty = async function* (): AsyncGenerator<Uint8Array> {}
  if (range !== undefined && range.start === range.end) {
    if ((await headInfo(ctx, key)) === null) fail(notFound(key))
    return { length: 0, chunks: empty() }
  }
  const first = await getObject(ctx, key, range)
  if (first === null) return { length: 0, chunks: empty() }
  const { size } = bodySpan(first)
  // Without the size, the read runs to the end of the body, or of the range if that comes first.
  const span = size === undefined ? { start: range?.start ?? 0, end: range?.end ?? Infinity } : clampRange(range, size)
  if (span.start === span.end) {
    discard(first)
    return { length: 0, chunks: empty() }
  }
  return { length: size === undefined ? undefined : span.end - span.start, chunks: resumable(ctx, key, first, span) }
}

/** Copies `chunks` into `out`, one after another. */
const fill = async (out: Uint8Array, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> => {
  let at = 0
  for await (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

/** The bytes of a valid key in `range`, in one buffer of their size (see `allocate`). */
export const readObject = async (ctx: S3Context, key: string, range: ByteRange | undefined): Promise<Uint8Array> => {
  const { length, chunks } = await streamObject(ctx, key, range)
  if (length !== undefined) return fill(allocate(length, key), chunks)
  // The length of a chunked reply is known at its end only: its chunks are kept until then (and no further than one buffer holds).
  const parts: Uint8Array[] = []
  let total = 0
  for await (const chunk of chunks) {
    total += chunk.byteLength
    checkReadSize(key, total)
    parts.push(chunk)
  }
  return fill(allocate(total, key), parts)
}
