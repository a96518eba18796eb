import { canceller } from './canceller.js'
import type { CompletedPart } from '@aws-sdk/client-s3'
import { concatChunks } from '../data.js'
import { fail, unsupported } from '../errors.js'
import { objectKey, type S3Context } from './context.js'

/** S3's limit on the parts of one multipart upload. */
const MAX_PARTS = 10_000

/**
 * `chunks` regrouped into parts of `partSize` bytes (the last one shorter). A part inside one chunk is a view of
 * it; only a part that spans chunks is copied, into a buffer of its own. So a large tensor goes up without a copy.
 */
export async function* partsOf(chunks: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<Uint8Array, void, undefined> {
  let held: Uint8Array[] = []
  let heldBytes = 0
  for await (const chunk of chunks) {
    let at = 0
    while (at < chunk.byteLength) {
      if (heldBytes === 0 && chunk.byteLength - at >= partSize) {
        yield chunk.subarray(at, at + partSize)
        at += partSize
        continue
      }
      const n = Math.min(partSize - heldBytes, chunk.byteLength - at)
      held.push(chunk.subarray(at, at + n))
      heldBytes += n
      at += n
      if (heldBytes === partSize) {
        yield concatChunks(held, heldBytes)
        held = []
        heldBytes = 0
      }
    }
  }
  if (heldBytes > 0) yield concatChunks(held, heldBytes)
}

/**
 * A multipart upload of `parts` (at least two), `queueSize` parts in flight: a part is taken from `parts` only
 * when a slot is free, so memory holds at most `queueSize` parts. Each part carries its CRC32 (computed by the
 * SDK, natively where Node has `zlib.crc32`), which the server checks. `condition` (If-None-Match / If-Match)
 * goes with CompleteMultipartUpload. On any failure the parts in flight are cancelled and the upload is aborted
 * before the error is rethrown. Resolves to the server's etag.
 */
export const uploadParts = async (
  ctx: S3Context,
  key: string,
  parts: AsyncIterable<Uint8Array>,
  condition: Record<string, string>,
): Promise<string | undefined> => {
  const { sdk, client, completer } = ctx.session()
  const Bucket = ctx.bucket
  const Key = objectKey(ctx, key)
  const { UploadId } = await client.send(new sdk.s3.CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }))
  const cancel = canceller()
  const done: CompletedPart[] = []
  const running = new Set<Promise<void>>()
  let failure: { readonly error: unknown } | null = null
  const send = async (PartNumber: number, Body: Uint8Array): Promise<void> => {
    const command = new sdk.s3.UploadPartCommand({
      Bucket,
      Key,
      UploadId,
      PartNumber,
      Body,
      ContentLength: Body.byteLength,
      ChecksumAlgorithm: 'CRC32',
    })
    // The part's CRC32 (a signed header) is what the server checks it by; a SHA-256 of the payload for the
    // signature as well would hash every byte once more on this thread, as the Checkpointer already does.
    command.middlewareStack.add(
      (next) => (args) => {
        ;(args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
        return next(args)
      },
      { step: 'build', name: 'ckptUnsignedPartPayload' },
    )
    const r = await client.send(command, { abortSignal: cancel.signal })
    done[PartNumber - 1] = { PartNumber, ETag: r.ETag, ...(r.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: r.ChecksumCRC32 }) }
  }
  const stop = (error: unknown) => {
    failure ??= { error }
    cancel.abort()
  }
  try {
    let count = 0
    try {
      for await (const part of parts) {
        if (++count > MAX_PARTS)
          fail(
            unsupported(
              key,
              `write of key "${key}": more than ${MAX_PARTS} parts of ${ctx.partSize} bytes, the most one S3 multipart upload holds; raise partSize`,
            ),
          )
        const started: Promise<void> = send(count, part)
          .catch(stop)
          .finally(() => running.delete(started))
        running.add(started)
        while (running.size >= ctx.queueSize && failure === null) await Promise.race(running)
        if (failure !== null) break
      }
    } catch (e) {
      stop(e)
    }
    await Promise.all(running)
    if (failure !== null) throw (failure as { readonly error: unknown }).error
    const completed = await completer.send(
      new sdk.s3.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done }, ...condition }),
    )
    return completed.ETag
  } catch (e) {
    // Aborted here, and its own failure ignored, so that a server that cannot abort (s3rver: 405) does not hide the real error.
    await client.send(new sdk.s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined)
    throw e
  }
}
