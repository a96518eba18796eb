import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { allocate, clampRange } from '../data.js'
import { StorageFailure, fail, ioError, notFound } from '../errors.js'
import type { ByteRange } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { headInfo } from './head.js'
import { describeSdkError, isNotFound, isPreconditionFailed, sdkFailure } from './sdk-errors.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Exponential backoff with full jitter: up to 100 ms × 2^(attempt-1), at most 5 s. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1))

const rangeHeader = (r: ByteRange): string => `bytes=${r.start}-${r.end - 1}`

/** One GetObject; a missing key is `NotFound`, a range starting past the end is `null` (zero bytes). */
const getObject = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
  ifMatch?: string,
): Promise<GetObjectCommandOutput | null> => {
  const { sdk, client } = ctx.session()
  try {
    return await client.send(
      new sdk.s3.GetObjectCommand({
        Bucket: ctx.bucket,
        Key: objectKey(ctx, key),
        ...(range === undefined ? {} : { Range: rangeHeader(range) }),
        ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
      }),
    )
  } catch (e) {
    if (isNotFound(e)) fail(notFound(key))
    if (describeSdkError(e).status === 416) return null
    if (ifMatch !== undefined && isPreconditionFailed(e))
      fail(ioError(key, `S3 read of key "${key}" failed: the object was replaced while it was being read`, e))
    throw sdkFailure(key, 'GetObject', e)
  }
}

/**
 * The absolute offset of a GetObject body's first byte and the object's size: from Content-Range, or 0 and
 * Content-Length when the server sent the whole object (some servers ignore a Range, e.g. s3rver for bytes=0-0).
 */
const bodyOffset = (res: GetObjectCommandOutput): { start: number; size: number | undefined } => {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.ContentRange ?? '')
  if (m) return { start: Number(m[1]), size: m[3] === '*' ? undefined : Number(m[3]) }
  return { start: 0, size: res.ContentLength }
}

/**
 * The bytes `want` of the object, from a first GetObject answer onwards. A body that fails or ends early
 * (reset, truncation) is resumed from the next byte needed with a ranged GetObject pinned to the same
 * version by If-Match, up to `maxAttempts` times. Bytes outside `want` that a server sends anyway are dropped.
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
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        if (body === undefined) throw new Error('GetObject returned no body')
        let offset = bodyOffset(res).start
        if (offset > at) throw new Error(`server answered from byte ${offset}, needed ${at}`)
        for await (const chunk of body) {
          const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(chunk)
          const usable = bytes.subarray(Math.max(0, at - offset), Math.max(0, want.end - offset))
          offset += bytes.byteLength
          at += usable.byteLength
          if (usable.byteLength > 0) yield usable
          if (at >= want.end) return
        }
        if (at < want.end) throw new Error(`body ended after ${at - want.start} of ${want.end - want.start} bytes`)
        return
      } catch (e) {
        if (e instanceof StorageFailure) throw e
        body?.destroy?.()
        if (attempt >= ctx.maxAttempts) throw sdkFailure(key, `reading the body (after ${attempt} attempts)`, e)
        await sleep(backoffMs(attempt))
        const next = await getObject(ctx, key, { start: at, end: want.end }, etag)
        if (next === null) throw new Error('object shrank while it was being read')
        res = next
        body = next.Body as Body | undefined
      }
    }
  } finally {
    body?.destroy?.()
  }
}

/** Opens a read of a valid key: the first GetObject (reporting NotFound), then the resumable body. */
export const streamObject = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
): Promise<{ span: ByteRange; chunks: AsyncIterable<Uint8Array> }> => {
  const empty = async function* (): AsyncGenerator<Uint8Array> {}
  if (range !== undefined && range.start === range.end) {
    if ((await headInfo(ctx, key)) === null) fail(notFound(key))
    return { span: range, chunks: empty() }
  }
  const first = await getObject(ctx, key, range)
  if (first === null) return { span: { start: 0, end: 0 }, chunks: empty() }
  const { start, size } = bodyOffset(first)
  const total = size ?? start + (first.ContentLength ?? 0)
  const span = clampRange(range, total)
  if (span.start === span.end) {
    ;(first.Body as { destroy?: () => void } | undefined)?.destroy?.()
    return { span, chunks: empty() }
  }
  return { span, chunks: resumable(ctx, key, first, span) }
}

/** The bytes of a valid key in `range`, gathered into one buffer of the known size. */
export const readObject = async (ctx: S3Context, key: string, range: ByteRange | undefined): Promise<Uint8Array> => {
  const { span, chunks } = await streamObject(ctx, key, range)
  const out = allocate(span.end - span.start)
  let at = 0
  for await (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
