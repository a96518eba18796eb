/**
 * The storage seam: the interface, typed errors, key rules and helpers for writing an adapter.
 * The adapters themselves live at `ckpt/storage/fs`, `ckpt/storage/memory`, `ckpt/storage/s3`, and in browsers
 * `ckpt/storage/indexeddb` and `ckpt/storage/opfs`.
 */
export {
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
export {
  StorageFailure,
  alreadyExists,
  invalidKey,
  ioError,
  asStorageError,
  isStorageError,
  storageFailed,
  isStorageFailure,
  notFound,
  orThrow,
  preconditionFailed,
  quotaExceeded,
  toStorageError,
  unsupported,
  type StorageError,
  type StorageErrorTag,
  type StorageFailed,
} from './errors.js'
export {
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  RESERVED_PREFIX,
  compareKeys,
  isReservedName,
  keyProblem,
  validateKey,
  validatePrefix,
  type ParsedPrefix,
} from './keys.js'
export { checkRange, chunksOf, clampRange, collect, concatChunks } from './data.js'
export type { FsDirent, FsFileHandle, FsModule, FsStats, PathModule } from './fs/fs-module.js'
