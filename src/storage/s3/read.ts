import { allocate, checkReadSize, clampRange } from '../data.js'
import { fail, notFound } from '../errors.js'
import type { ByteRange } from '../storage.js'
import type { S3Context } from './context.js'
import { bodySpan, discard, getObject } from './get.js'
import { headInfo } from './head.js'
import { partsInOrder, partsInto, type Parts } from './parts.js'
import { resumable } from './resumable.js'

/** A read once its first GetObject has answered: its length (unknown for chunked replies) and its bytes, in parts. */
interface Opened {
  readonly length: number | undefined
  readonly parts: Parts
}

const nothing = (): Opened => ({
  length: 0,
  parts: { start: 0, head: (async function* () {})(), rest: [], etag: undefined, lastModified: undefined },
})

/**
 * Opens a read of a valid key. The first GetObject asks for at most one part (`partSize` bytes); its reply tells
 * the object's size and version, and whether the server honours ranges; `check` may refuse the length then. The
 * rest of a larger read is fetched as ranged GetObjects of `partSize`, pinned to that version by If-Match (see
 * `./parts.ts`). A server that ignored the range sent the whole object: that one body is read, as is a reply whose
 * size nothing told.
 */
const openRead = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
  check: (length: number) => void = () => undefined,
): Promise<Opened> => {
  if (range !== undefined && range.start === range.end) {
    if ((await headInfo(ctx, key)) === null) fail(notFound(key))
    return nothing()
  }
  const start = range?.start ?? 0
  const wantEnd = range?.end ?? Infinity
  const firstEnd = Math.min(wantEnd, start + ctx.partSize)
  const first = await getObject(ctx, key, { start, end: firstEnd })
  if (first === null) return nothing()
  const replied = bodySpan(first)
  const ranged = first.ContentRange !== undefined
  const { size } = replied
  // Without the size, the read runs to the end of the body, or of the range if that comes first.
  const span = size === undefined ? { start, end: wantEnd } : clampRange(range, size)
  if (span.start === span.end) {
    discard(first)
    return nothing()
  }
  const length = size === undefined ? undefined : span.end - span.start
  try {
    if (length !== undefined) check(length)
  } catch (e) {
    discard(first)
    throw e
  }
  const etag = first.ETag
  const lastModified = first.LastModified
  if (!ranged || span.end <= firstEnd)
    return { length, parts: { start, head: resumable(ctx, key, first, span), rest: [], etag, lastModified } }
  const head = resumable(ctx, key, first, { start, end: firstEnd })
  if (size === undefined) {
    // A range honoured but no size told (`bytes a-b/*`): the rest is one read from where this reply ends, if it ran to firstEnd.
    const rest = replied.end === firstEnd ? [{ start: firstEnd, end: wantEnd }] : []
    return { length, parts: { start, head, rest, etag, lastModified } }
  }
  const rest: ByteRange[] = []
  for (let at = firstEnd; at < span.end; at += ctx.partSize) rest.push({ start: at, end: Math.min(at + ctx.partSize, span.end) })
  return { length, parts: { start, head, rest, etag, lastModified } }
}

/** Opens a read of a valid key (reporting NotFound) and gives its bytes in order. */
export const streamObject = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
): Promise<{ length: number | undefined; chunks: AsyncIterable<Uint8Array> }> => {
  const { length, parts } = await openRead(ctx, key, range)
  return { length, chunks: partsInOrder(ctx, key, parts) }
}

/** The bytes of a valid key in `range`, in one buffer of their size (see `allocate`), its parts fetched in parallel into it. */
export const readObject = async (ctx: S3Context, key: string, range: ByteRange | undefined): Promise<Uint8Array> => {
  // A read larger than one buffer is refused once the first reply tells the size, before any more is fetched.
  const { length, parts } = await openRead(ctx, key, range, (n) => checkReadSize(key, n))
  if (length !== undefined) return partsInto(ctx, key, parts, allocate(length, key))
  // The length of a chunked reply is known at its end only: its chunks are kept until then (and no further than one buffer holds).
  const held: Uint8Array[] = []
  let total = 0
  for await (const chunk of partsInOrder(ctx, key, parts)) {
    total += chunk.byteLength
    checkReadSize(key, total)
    held.push(chunk)
  }
  const out = allocate(total, key)
  let at = 0
  for (const chunk of held) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
