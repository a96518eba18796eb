import { StorageFailure, alreadyExists, fail, ioError, preconditionFailed, unsupported } from '../errors.js'
import type { WriteOptions } from '../storage.js'
import type { FsContext } from './context.js'
import { NO_LINKS, folderConflict, fsFailure, hasCode } from './failures.js'
import { errorCode } from './fs-module.js'
import type { WithLock } from './lock.js'
import { etagOf, statOrNull } from './stats.js'

export interface Committer {
  readonly withLock: WithLock
  /** Called when `link` shows the file system has no hard links: `ifAbsent` is then no longer declared. */
  readonly onNoLinks: () => void
}

/**
 * Moves a finished temp file into place under the key's lock, honouring the write's condition: `ifAbsent`
 * by `link` (fails if the target exists), `ifMatch` by comparing the etag before the rename, else a plain
 * rename (atomic replacement on POSIX).
 */
export const commit = (
  ctx: FsContext,
  by: Committer,
  key: string,
  temp: string,
  target: string,
  options: WriteOptions | undefined,
): Promise<void> =>
  by.withLock(key, async () => {
    const { fs, name } = ctx
    if (options?.ifAbsent === true) {
      try {
        await fs.link(temp, target)
      } catch (e) {
        if (errorCode(e) === 'EEXIST') {
          const existing = await statOrNull(ctx, key, target)
          if (existing === null)
            // the name exists but stat cannot follow it: a dangling symbolic link, which retrying never fixes
            fail(ioError(key, `key "${key}" is a symbolic link to nothing (dangling); it was left as it is`, e))
          if (existing !== null && !existing.isFile() && !existing.isDirectory())
            fail(ioError(key, `key "${key}" is not a regular file (a FIFO, socket or device); it was left as it is`, e))
          throw existing?.isDirectory() === true ? folderConflict(name, key, e) : new StorageFailure(alreadyExists(key))
        }
        if (hasCode(NO_LINKS, e)) {
          by.onNoLinks()
          throw new StorageFailure(
            unsupported(key, `${name} cannot honour ifAbsent for key "${key}": the file system has no hard links (${errorCode(e)})`),
          )
        }
        throw fsFailure(key, 'link (create-if-absent)', e)
      }
      await fs.unlink(temp).catch(() => undefined)
      return
    }
    const current = await statOrNull(ctx, key, target)
    if (current?.isDirectory() === true) throw folderConflict(name, key, new Error('EISDIR'))
    if (options?.ifMatch !== undefined) {
      if (current === null) fail(preconditionFailed(key, `ifMatch "${options.ifMatch}" failed for key "${key}": the key does not exist`))
      else if (etagOf(current) !== options.ifMatch)
        fail(
          preconditionFailed(key, `ifMatch failed for key "${key}": current etag is "${etagOf(current)}", expected "${options.ifMatch}"`),
        )
    }
    try {
      await fs.rename(temp, target)
    } catch (e) {
      if (errorCode(e) === 'EISDIR' || errorCode(e) === 'ENOTEMPTY') throw folderConflict(name, key, e)
      throw fsFailure(key, 'rename of temp file over the target', e)
    }
  })
