import * as E from '#fp-ts/Either.js'
import { driverCalls, reported } from '../calls.js'
import { fail, invalidKey, ioError } from '../errors.js'
import { MAX_KEY_BYTES, validateKey } from '../keys.js'
import { memoiseOpen, type ByteRange, type ObjectInfo, type StorageDriver, type WriteData, type WriteOptions } from '../storage.js'
import { objectKey, type S3Context } from './context.js'
import { headInfo } from './head.js'
import { listKeys } from './list.js'
import { checkOptions, type S3StorageOptions } from './options.js'
import { probeConditions } from './probe.js'
import { readObject, streamObject } from './read.js'
import { COMPLETE_TIMEOUT_MS, loadSdk, makeClient, SOCKET_TIMEOUT_MS, type S3Session } from './sdk.js'
import { isNotFound, sdkFailure } from './sdk-errors.js'
import { writeObject, type Honoured } from './upload.js'

/**
 * The S3 adapter's driver: PutObject for small objects, parallel multipart uploads (parts as views, CRC32 each) for large
 * and streamed ones, resumable reads, and conditional writes where the server honours them. The SDK is
 * loaded and the client made on first use; the conditions are probed by `open`, at the first write.
 */
export const s3Driver = (options: S3StorageOptions): StorageDriver => {
  checkOptions(options)
  const base = options.prefix === undefined || options.prefix === '' ? '' : options.prefix.replace(/\/?$/, '/')
  const conditional = options.conditionalWrites ?? 'auto'
  let session: S3Session | null = null
  const ctx: S3Context = {
    bucket: options.bucket,
    base,
    name: `s3://${options.bucket}/${base}`,
    partSize: options.partSize ?? 8 * 1024 * 1024,
    queueSize: options.queueSize ?? 8,
    maxAttempts: options.maxAttempts ?? 3,
    listPageSize: options.listPageSize ?? 1000,
    session: () => session ?? fail(ioError('', `${ctx.name} is closed`, null)),
  }
  const { name } = ctx
  let honoured: Honoured =
    conditional === false
      ? { ifAbsent: false, ifMatch: false, multipartIfMatch: false }
      : { ifAbsent: true, ifMatch: true, multipartIfMatch: true }

  // Every call needs the SDK and a client; making them writes nothing.
  const connect = memoiseOpen(() =>
    reported('', `opening ${name}`, async () => {
      const sdk = await loadSdk()
      const socketTimeout = options.socketTimeout ?? SOCKET_TIMEOUT_MS
      session = session ?? {
        sdk,
        client: makeClient(sdk, options, ctx.maxAttempts),
        completer: makeClient(sdk, options, ctx.maxAttempts, Math.max(socketTimeout, COMPLETE_TIMEOUT_MS)),
      }
    }),
  )
  // The writer's opening, at the first write: the probe writes an object, so readers never run it.
  const open = memoiseOpen(() =>
    reported('', `opening ${name}`, async () => {
      await connect()
      if (conditional === 'auto') {
        const { sdk, client } = ctx.session()
        try {
          honoured = await probeConditions(ctx, client, sdk)
        } catch (e) {
          throw sdkFailure('', `probe of conditional writes in ${name}`, e)
        }
      }
      return { ifAbsent: honoured.ifAbsent, ifMatch: honoured.ifMatch }
    }),
  )

  /** A valid key that, with the prefix, is still within S3's key length. */
  const checkKey = (key: string) =>
    E.chain((k: string) =>
      Buffer.byteLength(objectKey(ctx, k)) > MAX_KEY_BYTES
        ? E.left(invalidKey(k, `invalid storage key "${k}": with the prefix "${base}" it is longer than ${MAX_KEY_BYTES} bytes`))
        : E.right(k),
    )(validateKey(key))
  const { keyed, written, ranged, listed } = driverCalls({ connect, open }, checkKey)

  return {
    name,
    get capabilities() {
      return { ifAbsent: honoured.ifAbsent, ifMatch: honoured.ifMatch }
    },
    open,
    write: (key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo> =>
      written(key, 'write', (k) => writeObject(ctx, honoured, k, data, options)),
    read: (key: string, range?: ByteRange): Promise<Uint8Array> => ranged(key, range, 'read', (k, r) => readObject(ctx, k, r)),
    readStream: (key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> =>
      ranged(key, range, 'readStream', async (k, r) => (await streamObject(ctx, k, r)).chunks),
    list: (prefix?: string): Promise<ReadonlyArray<string>> => listed(prefix, (p) => listKeys(ctx, p)),
    remove: (key: string): Promise<void> =>
      keyed(key, 'remove', async (k) => {
        const { sdk, client } = ctx.session()
        try {
          await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: ctx.bucket, Key: objectKey(ctx, k) }))
        } catch (e) {
          if (!isNotFound(e)) throw sdkFailure(k, 'DeleteObject', e)
        }
      }),
    stat: (key: string): Promise<ObjectInfo | null> => keyed(key, 'stat', (k) => headInfo(ctx, k)),
    close: (): Promise<void> => {
      session?.client.destroy()
      session?.completer.destroy()
      session = null
      return Promise.resolve()
    },
  }
}
