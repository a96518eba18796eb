/**
 * `ckpt/storage/s3`: objects in an S3 bucket. The AWS SDK is an optional peer dependency, imported
 * (dynamically) only when a storage made here is first used; the parts of the driver live in `./s3/`.
 */
import { s3Driver } from './s3/driver.js'
import type { S3StorageOptions } from './s3/options.js'
import { fromDriver, type Storage } from './storage.js'

export { s3Driver } from './s3/driver.js'
export type { S3Credentials, S3StorageOptions } from './s3/options.js'

/**
 * Objects in an S3 bucket (AWS, MinIO, R2, any S3-protocol server). Returns at once; the SDK is loaded and the
 * client made on first use, and conditional writes are probed at the first write (reads never write).
 *
 * @example
 * const storage = s3Storage({ bucket: 'ckpt', prefix: 'runs/1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true })
 * await storage.write('epoch-003.safetensors', bytes)
 */
export const s3Storage = (options: S3StorageOptions): Storage => fromDriver(s3Driver(options))
