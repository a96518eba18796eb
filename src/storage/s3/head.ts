import type { ObjectInfo } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { isNotFound, sdkFailure } from './sdk-errors.js'

/** The object's size and etag from HeadObject, or null when it is missing. */
export const headInfo = async (ctx: S3Context, key: string): Promise<ObjectInfo | null> => {
  const { sdk, client } = ctx.session()
  try {
    const head = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: ctx.bucket, Key: objectKey(ctx, key) }))
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' }
  } catch (e) {
    if (isNotFound(e)) return null
    throw sdkFailure(key, 'HeadObject', e)
  }
}
