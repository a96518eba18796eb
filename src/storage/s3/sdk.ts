import type { S3Client } from '@aws-sdk/client-s3'
import { StorageFailure, unsupported } from '../errors.js'
import type { S3StorageOptions } from './options.js'

/** The SDK module, loaded on first use only: it is an optional peer dependency. */
export const loadSdk = async () => {
  try {
    return { s3: await import('@aws-sdk/client-s3') }
  } catch (e) {
    throw new StorageFailure(
      unsupported('', `s3Storage needs the optional peer dependency @aws-sdk/client-s3: npm install @aws-sdk/client-s3 (${String(e)})`),
    )
  }
}
export type Sdk = Awaited<ReturnType<typeof loadSdk>>

/** The loaded SDK and the clients made from it, from `open` until `close`. */
export interface S3Session {
  readonly sdk: Sdk
  readonly client: S3Client
  /** For CompleteMultipartUpload only: the same client, patient for {@link COMPLETE_TIMEOUT_MS}. */
  readonly completer: S3Client
}

/** The default of `socketTimeout`: boto3's read timeout. */
export const SOCKET_TIMEOUT_MS = 60_000

/**
 * How long CompleteMultipartUpload may stay silent: S3 "could take several minutes" to assemble a large object's
 * parts (AWS sends keep-alive whitespace meanwhile; s3rver sends nothing for minutes at 8 GiB), and a completion
 * retried after a timeout finds its upload gone.
 */
export const COMPLETE_TIMEOUT_MS = 15 * 60_000

/**
 * A client for the options, retrying `maxAttempts` times with the SDK's standard strategy; idle connections time out
 * after `socketTimeout` (the option's, unless given).
 */
export const makeClient = (
  sdk: Sdk,
  options: S3StorageOptions,
  maxAttempts: number,
  socketTimeout = options.socketTimeout ?? SOCKET_TIMEOUT_MS,
): S3Client =>
  new sdk.s3.S3Client({
    ...(options.region !== undefined ? { region: options.region } : options.endpoint !== undefined ? { region: 'us-east-1' } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    maxAttempts,
    retryMode: 'standard',
    // Checksums only where S3 requires them or ckpt asks (multipart parts carry a CRC32): otherwise streamed bodies
    // go up aws-chunked, which some servers store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // With "Expect: 100-continue" (the SDK's default above 2 MB) each part goes on a new connection, without keep-alive.
    expectContinueHeader: false,
    // The SDK's default is no timeout at all: a connection that stops answering while left open would hang the
    // transfer for ever. Idle this long, a request fails as a TimeoutError, which is retried (a read body resumed).
    requestHandler: { socketTimeout },
  })
