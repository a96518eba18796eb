import { randomBytes } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { RESERVED_PREFIX } from '../keys.js'
import type { Capabilities } from '../storage.js'
import type { S3Context } from './context.js'
import type { Sdk } from './sdk.js'
import { describeSdkError, isNotImplemented, isPreconditionFailed } from './sdk-errors.js'

type Condition = { IfNoneMatch: string } | { IfMatch: string }

/** What the probe found: the capabilities, and whether If-Match also holds on CompleteMultipartUpload. */
export interface Probed extends Capabilities {
  readonly multipartIfMatch: boolean
}

/** A 412 means the server honoured the condition; 501 or 400 that it does not know it. */
const honoured = (e: unknown): boolean => {
  if (isPreconditionFailed(e)) return true
  if (isNotImplemented(e) || describeSdkError(e).status === 400) return false
  throw e
}

/** Whether the server rejects `condition` on PutObject over an existing object (412), i.e. honours it. */
const honours = async (ctx: S3Context, client: S3Client, sdk: Sdk, key: string, condition: Condition): Promise<boolean> => {
  try {
    await client.send(new sdk.s3.PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: new Uint8Array(0), ...condition }))
    return false
  } catch (e) {
    return honoured(e)
  }
}

/** Whether the server rejects `condition` on CompleteMultipartUpload over an existing object (412). */
const honoursMultipart = async (ctx: S3Context, client: S3Client, sdk: Sdk, key: string, condition: Condition): Promise<boolean> => {
  const Bucket = ctx.bucket
  const { UploadId } = await client.send(new sdk.s3.CreateMultipartUploadCommand({ Bucket, Key: key }))
  try {
    const part = await client.send(new sdk.s3.UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: 1, Body: new Uint8Array(1) }))
    await client.send(
      new sdk.s3.CompleteMultipartUploadCommand({
        Bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
        ...condition,
      }),
    )
    return false
  } catch (e) {
    return honoured(e)
  } finally {
    await client.send(new sdk.s3.AbortMultipartUploadCommand({ Bucket, Key: key, UploadId })).catch(() => undefined)
  }
}

/**
 * Writes a reserved probe object and tries each condition on it, on PutObject and on CompleteMultipartUpload
 * (some servers honour one and not the other); removes it after. Servers that ignore a condition would let a
 * conditional write through silently, so only what is seen refused is declared.
 */
export const probeConditions = async (ctx: S3Context, client: S3Client, sdk: Sdk): Promise<Probed> => {
  const key = `${ctx.base}${RESERVED_PREFIX}probe/${randomBytes(8).toString('hex')}`
  try {
    await client.send(new sdk.s3.PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: new Uint8Array(0) }))
  } catch (e) {
    // Without write access there is nothing to probe, and no conditional write could succeed anyway.
    if (describeSdkError(e).status === 403) return { ifAbsent: false, ifMatch: false, multipartIfMatch: false }
    throw e
  }
  const absent = { IfNoneMatch: '*' }
  const match = { IfMatch: '"00000000000000000000000000000000"' }
  try {
    const putIfMatch = await honours(ctx, client, sdk, key, match)
    const multipartIfMatch = putIfMatch && (await honoursMultipart(ctx, client, sdk, key, match))
    return {
      ifAbsent: (await honours(ctx, client, sdk, key, absent)) && (await honoursMultipart(ctx, client, sdk, key, absent)),
      ifMatch: putIfMatch,
      multipartIfMatch,
    }
  } finally {
    await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: ctx.bucket, Key: key })).catch(() => undefined)
  }
}
