import { StorageFailure, ioError, unsupported } from '../errors.js'
import { errorCode } from './fs-module.js'

/** Codes that mean "no such file" (a missing folder on the way is ENOTDIR). */
export const MISSING = new Set(['ENOENT', 'ENOTDIR'])
/** Codes a file system without hard links answers `link` with. */
export const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])
/** A folder this process may read but not write. */
export const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM'])

/** True when the thrown fs error has one of `codes`. */
export const hasCode = (codes: ReadonlySet<string>, e: unknown): boolean => codes.has(errorCode(e) ?? '')

/** An fs error as a typed `IOError` naming the operation, the key and the code. */
export const fsFailure = (key: string, op: string, e: unknown): StorageFailure =>
  e instanceof StorageFailure
    ? e
    : new StorageFailure(
        ioError(key, `${op} failed for key "${key}": ${errorCode(e) ?? ''} ${e instanceof Error ? e.message : String(e)}`.trim(), e),
      )

/** A key a file system cannot hold next to the others: "a" and "a/b" cannot both be objects. */
export const folderConflict = (name: string, key: string, e: unknown): StorageFailure =>
  new StorageFailure(
    unsupported(
      key,
      `key "${key}" cannot be stored by ${name}: a part of its folder path is an object, or the key is a folder of other keys (a file system cannot hold both "a" and "a/b"); cause: ${errorCode(e) ?? String(e)}`,
    ),
  )
