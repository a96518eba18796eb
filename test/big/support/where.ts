import { fsStorage } from '../../../src/storage/fs.js'
import { s3Storage, type S3StorageOptions } from '../../../src/storage/s3.js'
import type { Storage } from '../../../src/storage/storage.js'

/** The storage a child's WHERE names: a folder, or `s3:` and the JSON of s3Storage options. */
export const storageAt = (where: string): Storage =>
  where.startsWith('s3:') ? s3Storage(JSON.parse(where.slice(3)) as S3StorageOptions) : fsStorage(where)
