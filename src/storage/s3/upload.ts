import { Readable } from 'node:stream'
import { chunksOf, concatChunks, slices } from '../data.js'
import { StorageFailure, alreadyExists, fail, preconditionFailed, unsupported } from '../errors.js'
import type { Capabilities, ObjectInfo, WriteData, WriteOptions } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { headInfo } from './head.js'
import { describeSdkError, isNotFound, isPreconditionFailed, sdkFailure } from './sdk-errors.js'

/** The conditions the server was found to honour (see `probeConditions`). */
export interface Honoured extends Capabilities {
  /** If-Match on CompleteMultipartUpload; when false, `ifMatch` writes go up as one PutObject. */
  readonly multipartIfMatch: boolean
}

/** A refused condition as `AlreadyExists` / `PreconditionFailed`, or null for any other error. */
const conditionFailed = (key: string, options: WriteOptions | undefined, e: unknown): StorageFailure | null => {
  // AWS and moto answer If-Match on a missing key with 404 NoSuchKey.
  if (isPreconditionFailed(e) || describeSdkError(e).status === 409 || (options?.ifMatch !== undefined && isNotFound(e))) {
    return new StorageFailure(
      options?.ifAbsent === true
        ? alreadyExists(key)
        : preconditionFailed(key, `ifMatch ${options?.ifMatch} failed for key "${key}": the object is missing or has another etag`),
    )
  }
  return null
}

/** A multipart (or, if it turns out small, single) upload of streamed chunks, holding about queueSize × partSize. */
const upload = async (
  ctx: S3Context,
  key: string,
  data: WriteData,
  condition: Record<string, string>,
): Promise<{ etag: string | undefined; size: number }> => {
  const { sdk, client } = ctx.session()
  let size = 0
  // Chunks go in as views of at most partSize: lib-storage concatenates what it holds into each part, and a
  // whole tensor handed to it would be copied (and past 4 GiB refused) before being cut into parts.
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunksOf(key, data)) {
      size += chunk.byteLength
      yield* slices(chunk, ctx.partSize)
    }
  }
  const body = Readable.from(counted(), { objectMode: false, highWaterMark: 1 })
  const job = new sdk.lib.Upload({
    client,
    params: { Bucket: ctx.bucket, Key: objectKey(ctx, key), Body: body, ...condition },
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    // Parts are aborted here, so that a server that cannot abort (405) does not hide the real error.
    leavePartsOnError: true,
  })
  try {
    const done = await job.done()
    return { etag: done.ETag, size }
  } catch (e) {
    body.destroy()
    if (job.uploadId !== undefined) {
      await client
        .send(new sdk.s3.AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: objectKey(ctx, key), UploadId: job.uploadId }))
        .catch(() => undefined)
    }
    throw e
  }
}

/** Gathers a small object for a server that honours If-Match on PutObject only; larger than partSize is `Unsupported`. */
const gatherForIfMatch = async (ctx: S3Context, key: string, data: WriteData): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  let size = 0
  for await (const chunk of chunksOf(key, data)) {
    size += chunk.byteLength
    if (size > ctx.partSize)
      fail(
        unsupported(
          key,
          `${ctx.name} honours If-Match only on single PutObject requests, so an ifMatch write is limited to partSize (${ctx.partSize} bytes); key "${key}" is larger`,
        ),
      )
    parts.push(chunk)
  }
  return concatChunks(parts, size)
}

/**
 * A write of a valid key: one PutObject for a buffer up to `partSize`, else a multipart upload; the condition
 * (If-None-Match / If-Match) goes with it. Resolves to the size written and the server's etag.
 */
export const writeObject = async (
  ctx: S3Context,
  honoured: Honoured,
  key: string,
  data: WriteData,
  options?: WriteOptions,
): Promise<ObjectInfo> => {
  const { name, partSize } = ctx
  if (options?.ifAbsent === true && options.ifMatch !== undefined)
    fail(unsupported(key, `write of key "${key}": ifAbsent and ifMatch cannot be combined`))
  if (options?.ifAbsent === true && !honoured.ifAbsent)
    fail(
      unsupported(key, `${name} cannot honour ifAbsent for key "${key}": the server ignores If-None-Match (or conditionalWrites is false)`),
    )
  if (options?.ifMatch !== undefined && !honoured.ifMatch)
    fail(unsupported(key, `${name} cannot honour ifMatch for key "${key}": the server ignores If-Match (or conditionalWrites is false)`))
  const condition: Record<string, string> =
    options?.ifAbsent === true ? { IfNoneMatch: '*' } : options?.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}
  const { sdk, client } = ctx.session()
  if (options?.ifMatch !== undefined && !honoured.multipartIfMatch && !(data instanceof Uint8Array && data.byteLength <= partSize)) {
    data = await gatherForIfMatch(ctx, key, data)
  }
  try {
    if (data instanceof Uint8Array && data.byteLength <= partSize) {
      const put = await client.send(
        new sdk.s3.PutObjectCommand({
          Bucket: ctx.bucket,
          Key: objectKey(ctx, key),
          Body: data,
          ContentLength: data.byteLength,
          ...condition,
        }),
      )
      return { size: data.byteLength, etag: put.ETag ?? (await headInfo(ctx, key))?.etag ?? '' }
    }
    const done = await upload(ctx, key, data, condition)
    return { size: done.size, etag: done.etag ?? (await headInfo(ctx, key))?.etag ?? '' }
  } catch (e) {
    throw conditionFailed(key, options, e) ?? sdkFailure(key, 'write', e)
  }
}
