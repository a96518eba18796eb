import { keyProblem } from '../keys.js'

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
  /**
   * Parts uploaded, and ranged GETs of a large read made, in parallel; memory held is about `queueSize × partSize`
   * (a stream read: one part more). Default 8 (boto3's managed transfers use 10 threads).
   */
  readonly queueSize?: number
  /** Attempts per request (and per resumed read) on 5xx, throttling and connection resets. Default 3. */
  readonly maxAttempts?: number
  /**
   * Milliseconds a request's connection may stay idle (no byte sent or received) before the request fails, and is
   * retried like a reset: a server or network path that stops answering never hangs a transfer. Default 60000
   * (boto3's read timeout).
   */
  readonly socketTimeout?: number
  /**
   * Conditional writes: 'auto' probes the server once, at the first write (s3rver ignores them, AWS and moto
   * honour them); true trusts the server without probing; false never sends conditions (conditional writes
   * fail with `Unsupported`). Default 'auto'.
   */
  readonly conditionalWrites?: 'auto' | boolean
  /** Keys asked for per ListObjectsV2 page (MaxKeys). Default 1000, the S3 maximum. */
  readonly listPageSize?: number
}

const MIN_PART_SIZE = 5 * 1024 * 1024

/** Refuses bad options when the storage is made (a `TypeError` naming the option), before any I/O. */
export const checkOptions = (o: S3StorageOptions): void => {
  const bad = (field: string, value: unknown, accepted: string): never => {
    throw new TypeError(`s3Storage: option ${field} is ${JSON.stringify(value)}; expected ${accepted}`)
  }
  if (typeof o !== 'object' || o === null) bad('(options)', o, 'an object with at least { bucket }')
  if (typeof o.bucket !== 'string' || o.bucket === '') bad('bucket', o.bucket, 'a non-empty bucket name')
  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || (o.prefix !== '' && keyProblem(o.prefix.replace(/\/$/, '')) !== null)))
    bad('prefix', o.prefix, "'' or a valid key (\"a/b\", optionally ending in '/')")
  if (o.partSize !== undefined && !(Number.isSafeInteger(o.partSize) && o.partSize >= MIN_PART_SIZE))
    bad('partSize', o.partSize, `an integer >= ${MIN_PART_SIZE} (5 MiB)`)
  if (o.queueSize !== undefined && !(Number.isSafeInteger(o.queueSize) && o.queueSize >= 1))
    bad('queueSize', o.queueSize, 'an integer >= 1')
  if (o.maxAttempts !== undefined && !(Number.isSafeInteger(o.maxAttempts) && o.maxAttempts >= 1))
    bad('maxAttempts', o.maxAttempts, 'an integer >= 1')
  if (o.socketTimeout !== undefined && !(Number.isSafeInteger(o.socketTimeout) && o.socketTimeout >= 1))
    bad('socketTimeout', o.socketTimeout, 'an integer >= 1 (milliseconds)')
  if (o.listPageSize !== undefined && !(Number.isSafeInteger(o.listPageSize) && o.listPageSize >= 1 && o.listPageSize <= 1000))
    bad('listPageSize', o.listPageSize, 'an integer from 1 to 1000')
  if (o.conditionalWrites !== undefined && o.conditionalWrites !== 'auto' && typeof o.conditionalWrites !== 'boolean')
    bad('conditionalWrites', o.conditionalWrites, "'auto', true or false")
}
