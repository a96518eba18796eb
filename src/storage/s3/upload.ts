import { chunksOf, concatChunks } from '../data.js'
import { StorageFailure, alreadyExists, fail, preconditionFailed, unsupported } from '../errors.js'
import type { Capabilities, ObjectInfo, WriteData, WriteOptions } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { headInfo } from './head.js'
import { partsOf, uploadParts } from './multipart.js'
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

/** One PutObject of `body`, with its length (so the SDK can retry it); the server's etag, or a HeadObject's. */
const putObject = async (ctx: S3Context, key: string, body: Uint8Array, condition: Record<string, string>): Promise<ObjectInfo> => {
  const { sdk, client } = ctx.session()
  const put = await client.send(
    new sdk.s3.PutObjectCommand({ Bucket: ctx.bucket, Key: objectKey(ctx, key), Body: body, ContentLength: body.byteLength, ...condition }),
  )
  return { size: body.byteLength, etag: put.ETag ?? (await headInfo(ctx, key))?.etag ?? '' }
}

/** Streamed data: one PutObject if it fits one part, else a multipart upload of its parts (see `uploadParts`). */
const upload = async (ctx: S3Context, key: string, data: WriteData, condition: Record<string, string>): Promise<ObjectInfo> => {
  let size = 0
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunksOf(key, data)) {
      size += chunk.byteLength
      yield chunk
    }
  }
  const parts = partsOf(counted(), ctx.partSize)
  try {
    const first = await parts.next()
    if (first.done === true) return await putObject(ctx, key, new Uint8Array(0), condition)
    const second = await parts.next()
    if (second.done === true) return await putObject(ctx, key, first.value, condition)
    async function* all(): AsyncGenerator<Uint8Array> {
      yield first.value as Uint8Array
      yield second.value as Uint8Array
      yield* parts
    }
    const etag = await uploadParts(ctx, key, all(), condition)
    return { size, etag: etag ?? (await headInfo(ctx, key))?.etag ?? '' }
  } finally {
    // A failed upload lets go of the caller's data at once.
    await parts.return(undefined)
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
  if (options?.ifMatch !== undefined && !honoured.multipartIfMatch && !(data instanceof Uint8Array && data.byteLength <= partSize)) {
    data = await gatherForIfMatch(ctx, key, data)
  }
  try {
    return data instanceof Uint8Array && data.byteLength <= partSize
      ? await putObject(ctx, key, data, condition)
      : await upload(ctx, key, data, condition)
  } catch (e) {
    throw conditionFailed(key, options, e) ?? sdkFailure(key, 'write', e)
  }
}
