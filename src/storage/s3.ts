import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { allocate, checkRange, chunksOf, clampRange, concatChunks } from './data.js'
import {
  StorageFailure,
  alreadyExists,
  invalidKey,
  ioError,
  notFound,
  preconditionFailed,
  toStorageError,
  unsupported,
  type StorageError,
} from './errors.js'
import { MAX_KEY_BYTES, RESERVED_PREFIX, compareKeys, isReservedName, keyProblem, validateKey, validatePrefix } from './keys.js'
import {
  fromDriver,
  memoiseOpen,
  type ByteRange,
  type Capabilities,
  type ObjectInfo,
  type Storage,
  type StorageDriver,
  type WriteData,
  type WriteOptions,
} from './storage.js'

export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface S3StorageOptions {
  /** The bucket; it must exist. */
  readonly bucket: string
  /** Prepended to every key; a missing trailing '/' is added. Default '' (the bucket's root). */
  readonly prefix?: string
  /** Default: 'us-east-1' when `endpoint` is given, else the SDK's (AWS_REGION, ~/.aws/config). */
  readonly region?: string
  /** A custom endpoint URL (MinIO, R2, a local server). Default: AWS. */
  readonly endpoint?: string
  /** Path-style URLs (`endpoint/bucket/key`), needed by most local servers and MinIO. Default false. */
  readonly forcePathStyle?: boolean
  /** Static credentials. Default: the AWS default credential chain (env, profile, SSO, IMDS, ...). */
  readonly credentials?: S3Credentials
  /** Objects larger than this go up as multipart uploads of parts this size. Default 8 MiB; at least 5 MiB. */
  readonly partSize?: number
  /** Parts uploaded in parallel; memory held is about `queueSize × partSize`. Default 4. */
  readonly queueSize?: number
  /** Attempts per request (and per resumed read) on 5xx, throttling and connection resets. Default 3. */
  readonly maxAttempts?: number
  /**
   * Conditional writes: 'auto' probes the server once on open (s3rver ignores them, AWS and moto honour them);
   * true trusts the server without probing; false never sends conditions (conditional writes fail with
   * `Unsupported`). Default 'auto'.
   */
  readonly conditionalWrites?: 'auto' | boolean
  /** Keys asked for per ListObjectsV2 page (MaxKeys). Default 1000, the S3 maximum. */
  readonly listPageSize?: number
}

const MIN_PART_SIZE = 5 * 1024 * 1024

/** The HTTP status and error name of an SDK error. */
const describeSdkError = (e: unknown): { status: number | undefined; name: string; message: string } => {
  const err = e as { $metadata?: { httpStatusCode?: number }; name?: string; Code?: string; message?: string }
  return { status: err?.$metadata?.httpStatusCode, name: err?.name ?? err?.Code ?? 'Error', message: err?.message ?? String(e) }
}

const isNotFound = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound'
}

const isPreconditionFailed = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 412 || name === 'PreconditionFailed'
}

const isNotImplemented = (e: unknown): boolean => {
  const { status, name } = describeSdkError(e)
  return status === 501 || name === 'NotImplemented'
}

const sdkFailure = (key: string, op: string, e: unknown): StorageFailure => {
  if (e instanceof StorageFailure) return e
  const { status, name, message } = describeSdkError(e)
  return new StorageFailure(ioError(key, `S3 ${op} failed for key "${key}": ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`, e))
}

const fail = (error: StorageError): never => {
  throw new StorageFailure(error)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
/** Exponential backoff with full jitter: up to 100 ms × 2^(attempt-1), at most 5 s. */
const backoffMs = (attempt: number): number => Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1))

const checkOptions = (o: S3StorageOptions): void => {
  const bad = (field: string, value: unknown, accepted: string): never => {
    throw new TypeError(`s3Storage: option ${field} is ${JSON.stringify(value)}; expected ${accepted}`)
  }
  if (typeof o !== 'object' || o === null) bad('(options)', o, 'an object with at least { bucket }')
  if (typeof o.bucket !== 'string' || o.bucket === '') bad('bucket', o.bucket, 'a non-empty bucket name')
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || (o.prefix !== '' && keyProblem(o.prefix.replace(/\/$/, '')) !== null)))
    bad('prefix', o.prefix, "'' or a valid key (\"a/b\", optionally ending in '/')")
  if (o.partSize !== undefined && !(Number.isSafeInteger(o.partSize) && o.partSize >= MIN_PART_SIZE)) bad('partSize', o.partSize, `an integer >= ${MIN_PART_SIZE} (5 MiB)`)
  if (o.queueSize !== undefined && !(Number.isSafeInteger(o.queueSize) && o.queueSize >= 1)) bad('queueSize', o.queueSize, 'an integer >= 1')
  if (o.maxAttempts !== undefined && !(Number.isSafeInteger(o.maxAttempts) && o.maxAttempts >= 1)) bad('maxAttempts', o.maxAttempts, 'an integer >= 1')
  if (o.listPageSize !== undefined && !(Number.isSafeInteger(o.listPageSize) && o.listPageSize >= 1 && o.listPageSize <= 1000))
    bad('listPageSize', o.listPageSize, 'an integer from 1 to 1000')
  if (o.conditionalWrites !== undefined && o.conditionalWrites !== 'auto' && typeof o.conditionalWrites !== 'boolean')
    bad('conditionalWrites', o.conditionalWrites, "'auto', true or false")
}

/** The SDK modules, loaded on first use only: they are optional peer dependencies. */
const loadSdk = async () => {
  try {
    const [s3, lib] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
    return { s3, lib }
  } catch (e) {
    throw new StorageFailure(
      unsupported('', `s3Storage needs the optional peer dependencies @aws-sdk/client-s3 and @aws-sdk/lib-storage: npm install @aws-sdk/client-s3 @aws-sdk/lib-storage (${String(e)})`),
    )
  }
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>

/**
 * The S3 adapter's driver: PutObject for small objects, parallel multipart uploads (lib-storage) for large
 * and streamed ones, resumable reads, and conditional writes where the server honours them.
 */
export const s3Driver = (options: S3StorageOptions): StorageDriver => {
  checkOptions(options)
  const bucket = options.bucket
  const base = options.prefix === undefined || options.prefix === '' ? '' : options.prefix.replace(/\/?$/, '/')
  const partSize = options.partSize ?? 8 * 1024 * 1024
  const queueSize = options.queueSize ?? 4
  const maxAttempts = options.maxAttempts ?? 3
  const conditional = options.conditionalWrites ?? 'auto'
  const name = `s3://${bucket}/${base}`
  let capabilities: Capabilities = conditional === false ? { ifAbsent: false, ifMatch: false } : { ifAbsent: true, ifMatch: true }
  /**
   * Whether If-Match also holds on CompleteMultipartUpload (moto ignores it there). When it does not,
   * `ifMatch` writes are sent as one PutObject, so they are limited to `partSize` bytes.
   */
  let multipartIfMatch = conditional !== false
  let session: { sdk: Sdk; client: S3Client } | null = null

  const objectKey = (key: string): string => `${base}${key}`

  const makeClient = (sdk: Sdk): S3Client =>
    new sdk.s3.S3Client({
      ...(options.region !== undefined ? { region: options.region } : options.endpoint !== undefined ? { region: 'us-east-1' } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      maxAttempts,
      retryMode: 'standard',
      // Checksums only where S3 requires them: otherwise streamed bodies go up aws-chunked, which some servers store verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })

  /** Whether the server rejects `condition` on an existing object (412), i.e. honours it. */
  const honours = async (client: S3Client, sdk: Sdk, key: string, condition: { IfNoneMatch: string } | { IfMatch: string }): Promise<boolean> => {
    try {
      await client.send(new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), ...condition }))
      return false
    } catch (e) {
      if (isPreconditionFailed(e)) return true
      if (isNotImplemented(e) || describeSdkError(e).status === 400) return false
      throw e
    }
  }

  /** Whether the server rejects `condition` on CompleteMultipartUpload over an existing object (412). */
  const honoursMultipart = async (client: S3Client, sdk: Sdk, key: string, condition: { IfNoneMatch: string } | { IfMatch: string }): Promise<boolean> => {
    const { UploadId } = await client.send(new sdk.s3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
    try {
      const part = await client.send(new sdk.s3.UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: new Uint8Array(1) }))
      await client.send(
        new sdk.s3.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] }, ...condition }),
      )
      return false
    } catch (e) {
      if (isPreconditionFailed(e)) return true
      if (isNotImplemented(e) || describeSdkError(e).status === 400) return false
      throw e
    } finally {
      await client.send(new sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined)
    }
  }

  /**
   * Writes a reserved probe object and tries each condition on it, on PutObject and on
   * CompleteMultipartUpload (some servers honour one and not the other); removes it after.
   */
  const probe = async (client: S3Client, sdk: Sdk): Promise<Capabilities> => {
    const key = `${base}${RESERVED_PREFIX}probe/${randomBytes(8).toString('hex')}`
    try {
      await client.send(new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0) }))
    } catch (e) {
      // Without write access there is nothing to probe, and no conditional write could succeed anyway.
      if (describeSdkError(e).status === 403) return { ifAbsent: false, ifMatch: false }
      throw e
    }
    const absent = { IfNoneMatch: '*' }
    const match = { IfMatch: '"00000000000000000000000000000000"' }
    try {
      const putIfMatch = await honours(client, sdk, key, match)
      multipartIfMatch = putIfMatch && (await honoursMultipart(client, sdk, key, match))
      return {
        ifAbsent: (await honours(client, sdk, key, absent)) && (await honoursMultipart(client, sdk, key, absent)),
        ifMatch: putIfMatch,
      }
    } finally {
      await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined)
    }
  }

  const open = memoiseOpen(
    TE.tryCatch(async () => {
      const sdk = await loadSdk()
      const client = session?.client ?? makeClient(sdk)
      session = { sdk, client }
      if (conditional === 'auto') {
        try {
          capabilities = await probe(client, sdk)
        } catch (e) {
          throw sdkFailure('', `probe of conditional writes in ${name}`, e)
        }
      }
      return capabilities
    }, toStorageError('', `opening ${name}`)),
  )

  const current = (): { sdk: Sdk; client: S3Client } => session ?? fail(ioError('', `${name} is closed`, null))

  /** Validates the key (and its full length with the prefix), opens, then runs `f` with typed errors. */
  const keyed = <A>(key: string, what: string, f: (key: string) => Promise<A>): TE.TaskEither<StorageError, A> =>
    pipe(
      TE.fromEither(validateKey(key)),
      TE.chain((k) =>
        Buffer.byteLength(objectKey(k)) > MAX_KEY_BYTES
          ? TE.left(invalidKey(k, `invalid storage key "${k}": with the prefix "${base}" it is longer than ${MAX_KEY_BYTES} bytes`))
          : TE.right(k),
      ),
      TE.chainFirst(() => open),
      TE.chain((k) => TE.tryCatch(() => f(k), toStorageError(k, what))),
    )

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

  const headInfo = async (key: string): Promise<ObjectInfo | null> => {
    const { sdk, client } = current()
    try {
      const head = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }))
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' }
    } catch (e) {
      if (isNotFound(e)) return null
      throw sdkFailure(key, 'HeadObject', e)
    }
  }

  /** A multipart (or, if it turns out small, single) upload of streamed chunks, holding about queueSize × partSize. */
  const upload = async (key: string, data: WriteData, condition: Record<string, string>): Promise<{ etag: string | undefined; size: number }> => {
    const { sdk, client } = current()
    let size = 0
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunksOf(key, data)) {
        size += chunk.byteLength
        yield chunk
      }
    }
    const body = Readable.from(counted(), { objectMode: false, highWaterMark: 1 })
    const job = new sdk.lib.Upload({
      client,
      params: { Bucket: bucket, Key: objectKey(key), Body: body, ...condition },
      partSize,
      queueSize,
      // Parts are aborted here, so that a server that cannot abort (405) does not hide the real error.
      leavePartsOnError: true,
    })
    try {
      const done = await job.done()
      return { etag: done.ETag, size }
    } catch (e) {
      body.destroy()
      if (job.uploadId !== undefined) {
        await client.send(new sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: objectKey(key), UploadId: job.uploadId })).catch(() => undefined)
      }
      throw e
    }
  }

  const write = (key: string, data: WriteData, options?: WriteOptions): TE.TaskEither<StorageError, ObjectInfo> =>
    keyed(key, 'write', async (k) => {
      if (options?.ifAbsent === true && options.ifMatch !== undefined) fail(unsupported(k, `write of key "${k}": ifAbsent and ifMatch cannot be combined`))
      if (options?.ifAbsent === true && !capabilities.ifAbsent)
        fail(unsupported(k, `${name} cannot honour ifAbsent for key "${k}": the server ignores If-None-Match (or conditionalWrites is false)`))
      if (options?.ifMatch !== undefined && !capabilities.ifMatch)
        fail(unsupported(k, `${name} cannot honour ifMatch for key "${k}": the server ignores If-Match (or conditionalWrites is false)`))
      const condition: Record<string, string> =
        options?.ifAbsent === true ? { IfNoneMatch: '*' } : options?.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}
      const { sdk, client } = current()
      if (options?.ifMatch !== undefined && !multipartIfMatch && !(data instanceof Uint8Array && data.byteLength <= partSize)) {
        // This server honours If-Match on PutObject only: gather the (small) object and send it in one request.
        const parts: Uint8Array[] = []
        let size = 0
        for await (const chunk of chunksOf(k, data)) {
          size += chunk.byteLength
          if (size > partSize)
            fail(unsupported(k, `${name} honours If-Match only on single PutObject requests, so an ifMatch write is limited to partSize (${partSize} bytes); key "${k}" is larger`))
          parts.push(chunk)
        }
        data = concatChunks(parts, size)
      }
      try {
        if (data instanceof Uint8Array && data.byteLength <= partSize) {
          const put = await client.send(
            new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: objectKey(k), Body: data, ContentLength: data.byteLength, ...condition }),
          )
          return { size: data.byteLength, etag: put.ETag ?? (await headInfo(k))?.etag ?? '' }
        }
        const done = await upload(k, data, condition)
        return { size: done.size, etag: done.etag ?? (await headInfo(k))?.etag ?? '' }
      } catch (e) {
        throw conditionFailed(k, options, e) ?? sdkFailure(k, 'write', e)
      }
    })

  const rangeHeader = (r: ByteRange): string => `bytes=${r.start}-${r.end - 1}`

  /** One GetObject; a missing key is `NotFound`, a range starting past the end is `null` (zero bytes). */
  const getObject = async (key: string, range: ByteRange | undefined, ifMatch?: string): Promise<GetObjectCommandOutput | null> => {
    const { sdk, client } = current()
    try {
      return await client.send(
        new sdk.s3.GetObjectCommand({
          Bucket: bucket,
          Key: objectKey(key),
          ...(range === undefined ? {} : { Range: rangeHeader(range) }),
          ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
        }),
      )
    } catch (e) {
      if (isNotFound(e)) fail(notFound(key))
      if (describeSdkError(e).status === 416) return null
      if (ifMatch !== undefined && isPreconditionFailed(e)) fail(ioError(key, `S3 read of key "${key}" failed: the object was replaced while it was being read`, e))
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
  async function* resumable(key: string, first: GetObjectCommandOutput, want: ByteRange): AsyncGenerator<Uint8Array, void, undefined> {
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
          if (attempt >= maxAttempts) throw sdkFailure(key, `reading the body (after ${attempt} attempts)`, e)
          await sleep(backoffMs(attempt))
          const next = await getObject(key, { start: at, end: want.end }, etag)
          if (next === null) throw new Error('object shrank while it was being read')
          res = next
          body = next.Body as Body | undefined
        }
      }
    } finally {
      body?.destroy?.()
    }
  }

  /** Opens a read: the first GetObject (reporting NotFound), then the resumable body. */
  const openRead = async (key: string, range: ByteRange | undefined): Promise<{ span: ByteRange; chunks: AsyncIterable<Uint8Array> }> => {
    const empty = async function* (): AsyncGenerator<Uint8Array> {}
    if (range !== undefined && range.start === range.end) {
      if ((await headInfo(key)) === null) fail(notFound(key))
      return { span: range, chunks: empty() }
    }
    const first = await getObject(key, range)
    if (first === null) return { span: { start: 0, end: 0 }, chunks: empty() }
    const { start, size } = bodyOffset(first)
    const total = size ?? start + (first.ContentLength ?? 0)
    const span = clampRange(range, total)
    if (span.start === span.end) {
      ;(first.Body as { destroy?: () => void } | undefined)?.destroy?.()
      return { span, chunks: empty() }
    }
    return { span, chunks: resumable(key, first, span) }
  }

  const read = (key: string, range?: ByteRange): TE.TaskEither<StorageError, Uint8Array> =>
    pipe(
      TE.fromEither(checkRange(key, range)),
      TE.chain((r) =>
        keyed(key, 'read', async (k) => {
          const { span, chunks } = await openRead(k, r)
          const out = allocate(span.end - span.start)
          let at = 0
          for await (const chunk of chunks) {
            out.set(chunk, at)
            at += chunk.byteLength
          }
          return out
        }),
      ),
    )

  const readStream = (key: string, range?: ByteRange): TE.TaskEither<StorageError, AsyncIterable<Uint8Array>> =>
    pipe(
      TE.fromEither(checkRange(key, range)),
      TE.chain((r) => keyed(key, 'readStream', async (k) => (await openRead(k, r)).chunks)),
    )

  const list = (prefix?: string): TE.TaskEither<StorageError, ReadonlyArray<string>> =>
    pipe(
      TE.fromEither(validatePrefix(prefix)),
      TE.chainFirst(() => open),
      TE.chain((p) =>
        TE.tryCatch(async () => {
          const { sdk, client } = current()
          const keys: string[] = []
          let token: string | undefined
          do {
            let page
            try {
              page = await client.send(
                new sdk.s3.ListObjectsV2Command({ Bucket: bucket, Prefix: base + p.prefix, MaxKeys: options.listPageSize ?? 1000, ...(token === undefined ? {} : { ContinuationToken: token }) }),
              )
            } catch (e) {
              throw sdkFailure(p.prefix, 'ListObjectsV2', e)
            }
            for (const o of page.Contents ?? []) {
              const k = o.Key?.slice(base.length)
              if (k !== undefined && o.Key!.startsWith(base) && !isReservedName(k) && keyProblem(k) === null) keys.push(k)
            }
            token = page.IsTruncated === true ? page.NextContinuationToken : undefined
          } while (token !== undefined)
          return keys.sort(compareKeys)
        }, toStorageError(p.prefix, 'list')),
      ),
    )

  const remove = (key: string): TE.TaskEither<StorageError, void> =>
    keyed(key, 'remove', async (k) => {
      const { sdk, client } = current()
      try {
        await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: objectKey(k) }))
      } catch (e) {
        if (!isNotFound(e)) throw sdkFailure(k, 'DeleteObject', e)
      }
    })

  const stat = (key: string): TE.TaskEither<StorageError, ObjectInfo | null> => keyed(key, 'stat', (k) => headInfo(k))

  const close = (): TE.TaskEither<StorageError, void> =>
    TE.fromIO(() => {
      session?.client.destroy()
      session = null
    })

  return {
    name,
    get capabilities() {
      return capabilities
    },
    open: () => open,
    write,
    read,
    readStream,
    list,
    remove,
    stat,
    close,
  }
}

/**
 * Objects in an S3 bucket (AWS, MinIO, R2, any S3-protocol server). Returns at once; the SDK is loaded, the
 * client made and conditional writes probed on first use.
 *
 * @example
 * const storage = s3Storage({ bucket: 'ckpt', prefix: 'runs/1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true })
 * await storage.write('epoch-003.safetensors', bytes)
 */
export const s3Storage = (options: S3StorageOptions): Storage => fromDriver(s3Driver(options))
