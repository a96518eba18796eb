import { StorageFailure, fail, ioError } from '../errors.js'
import type { ObjectInfo } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { bodySpan, discard, getObject } from './get.js'
import { isNotFound, sdkFailure } from './sdk-errors.js'

/**
 * The size of the version `etag` from a one-byte ranged GetObject's Content-Range, for a HeadObject answered without
 * Content-Length; a `416` means an empty object, and null a key removed meanwhile. A server that tells the size
 * neither way is an `IOError`, never a size of 0.
 */
const sizeByRange = async (ctx: S3Context, key: string, etag: string | undefined): Promise<number | null> => {
  const res = await getObject(ctx, key, { start: 0, end: 1 }, etag).catch((e: unknown) => {
    if (e instanceof StorageFailure && e._tag === 'NotFound') return 'gone' as const
    throw e
  })
  if (res === 'gone') return null
  if (res === null) return 0
  discard(res)
  const { size } = bodySpan(res)
  return (
    size ??
    fail(
      ioError(
        key,
        `S3 stat of key "${key}" failed: the server answered HeadObject without Content-Length and a ranged GetObject without the object's size`,
        null,
      ),
    )
  )
}

/** The object's size and etag from HeadObject, or null when it is missing. */
export const headInfo = async (ctx: S3Context, key: string): Promise<ObjectInfo | null> => {
  const { sdk, client } = ctx.session()
  let head
  try {
    head = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: ctx.bucket, Key: objectKey(ctx, key) }))
  } catch (e) {
    if (isNotFound(e)) return null
    throw sdkFailure(key, 'HeadObject', e)
  }
  const size = head.ContentLength ?? (await sizeByRange(ctx, key, head.ETag))
  return size === null ? null : { size, etag: head.ETag ?? '' }
}
