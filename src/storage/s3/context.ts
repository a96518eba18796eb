import type { S3Session } from './sdk.js'

/** What every part of the S3 driver shares: where objects live, the tuning, and the open session. */
export interface S3Context {
  readonly bucket: string
  /** The key prefix, '' or ending in '/'. */
  readonly base: string
  /** The adapter's name in errors. */
  readonly name: string
  readonly partSize: number
  readonly queueSize: number
  readonly maxAttempts: number
  readonly listPageSize: number
  /** The SDK and client; an `IOError` once the storage is closed. */
  session(): S3Session
}

/** The bucket key of a storage key. */
export const objectKey = (ctx: S3Context, key: string): string => `${ctx.base}${key}`
