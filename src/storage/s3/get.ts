import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { fail, ioError, notFound } from '../errors.js'
import type { ByteRange } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { describeSdkError, isNotFound, isPreconditionFailed, sdkFailure } from './sdk-errors.js'

/** The Range header of `r`; an infinite `end` (the size not known yet) asks for everything from `start`. */
const rangeHeader = (r: ByteRange): string => `bytes=${r.start}-${r.end === Infinity ? '' : r.end - 1}`

/**
 * One GetObject; a missing key is `NotFound`, a range starting past the end is `null` (zero bytes). `signal`
 * cancels it (a part of a parallel read whose sibling failed).
 */
export const getObject = async (
  ctx: S3Context,
  key: string,
  range: ByteRange | undefined,
  ifMatch?: string,
  signal?: AbortSignal,
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
      signal === undefined ? {} : { abortSignal: signal },
    )
  } catch (e) {
    if (isNotFound(e)) fail(notFound(key))
    if (describeSdkError(e).status === 416) return null
    if (ifMatch !== undefined && isPreconditionFailed(e))
      fail(ioError(key, `S3 read of key "${key}" failed: the object was replaced while it was being read`, e))
    throw sdkFailure(key, 'GetObject', e)
  }
}

/** Where a GetObject body sits in the object: its first byte's offset, its end (exclusive) and the object's size. */
export interface BodySpan {
  readonly start: number
  /** Unknown for a chunked reply of the whole object (no Content-Length). */
  readonly end: number | undefined
  /** Unknown for a chunked whole-object reply, or a Content-Range total of `*`. */
  readonly size: number | undefined
}

/**
 * From Content-Range, or, when the server sent the whole object (some ignore a Range, e.g. s3rver for bytes=0-0),
 * from 0 to Content-Length. A chunked reply has no Content-Length: its body then ends where the object ends.
 */
export const bodySpan = (res: GetObjectCommandOutput): BodySpan => {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.ContentRange ?? '')
  if (m) return { start: Number(m[1]), end: Number(m[2]) + 1, size: m[3] === '*' ? undefined : Number(m[3]) }
  return { start: 0, end: res.ContentLength, size: res.ContentLength }
}

/**
 * Fails with `IOError` when `res`, a later reply of a read whose first reply `first` carried no ETag (so nothing
 * pinned it by If-Match), tells another Last-Modified than the first: the object was replaced meanwhile. Last-Modified
 * counts whole seconds, so a replacement within the second of the first version is not seen.
 */
export const checkUnpinned = (
  key: string,
  first: { readonly ETag?: string; readonly LastModified?: Date },
  res: GetObjectCommandOutput,
): void => {
  if (first.ETag !== undefined || first.LastModified === undefined) return
  if (res.LastModified?.getTime() !== first.LastModified.getTime())
    fail(ioError(key, `S3 read of key "${key}" failed: the object was replaced while it was being read (its Last-Modified changed)`, null))
}

/** Lets go of a reply's body without reading it. */
export const discard = (res: GetObjectCommandOutput): void => (res.Body as { destroy?: () => void } | undefined)?.destroy?.()
