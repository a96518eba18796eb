import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { StorageFailure, fail, ioError } from '../errors.js'
import type { ByteRange } from '../storage.js'
import type { S3Context } from './context.js'
import { bodySpan, checkUnpinned, getObject } from './get.js'
import { sdkFailure } from './sdk-errors.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Exponential backoff with full jitter: up to 100 ms × 2^(attempt-1), at most 5 s. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1))

/**
 * The bytes `want` of the object, from a first GetObject answer onwards. A body that fails, or ends before its
 * headers or the object's size say (reset, truncation), is resumed from the next byte needed with a ranged
 * GetObject pinned to the same version by If-Match (without an ETag, checked by Last-Modified), up to `maxAttempts`
 * times. Bytes outside `want` that a server sends anyway are dropped. `want.end` may be Infinity: while no reply
 * has told the object's size (chunked replies carry no Content-Length), a body that ends cleanly ends where the
 * object ends. `signal` stops it (a sibling part of a parallel read failed).
 */
export async function* resumable(
  ctx: S3Context,
  key: string,
  first: GetObjectCommandOutput,
  want: ByteRange,
  signal?: AbortSignal,
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
        if (e instanceof StorageFailure || signal?.aborted === true) throw e
        body?.destroy?.()
        if (attempt >= ctx.maxAttempts) throw sdkFailure(key, `reading the body (after ${attempt} attempts)`, e)
        await sleep(backoffMs(attempt))
        const next = await getObject(ctx, key, { start: at, end }, etag, signal)
        if (next === null) {
          // Nothing from `at` on, in the same version: an object of unknown size ends there.
          if (size === undefined) return
          return fail(ioError(key, `S3 read of key "${key}" failed: the object shrank while it was being read`, null))
        }
        res = next
        body = next.Body as Body | undefined
        checkUnpinned(key, first, next)
      }
    }
  } finally {
    body?.destroy?.()
  }
}
