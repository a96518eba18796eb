import type { FsContext } from './context.js'
import { folderConflict, fsFailure } from './failures.js'
import { errorCode, type FsFileHandle } from './fs-module.js'

/** Creates the key's folder with its parents; an object in the way is a folder conflict. */
export const makeFolder = async (ctx: FsContext, key: string, folder: string): Promise<void> => {
  try {
    await ctx.fs.mkdir(folder, { recursive: true })
  } catch (e) {
    if (errorCode(e) === 'ENOTDIR' || errorCode(e) === 'EEXIST') throw folderConflict(ctx.name, key, e)
    throw fsFailure(key, `creating folder ${folder}`, e)
  }
}

/** fsyncs a folder so that a rename or unlink in it is durable. */
export const syncFolder = async (ctx: FsContext, key: string, folder: string): Promise<void> => {
  if (!ctx.durable) return
  let handle: FsFileHandle
  try {
    handle = await ctx.fs.open(folder, 'r')
  } catch (e) {
    throw fsFailure(key, `opening folder ${folder} for fsync`, e)
  }
  try {
    await handle.sync()
  } catch (e) {
    // Some platforms cannot fsync a folder (EISDIR, EINVAL); the rename is then as durable as the platform allows.
    if (!['EISDIR', 'EINVAL', 'EBADF', 'EPERM'].includes(errorCode(e) ?? '')) throw fsFailure(key, `fsync of folder ${folder}`, e)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/**
 * The first folder from `folder` up to (not including) the root that is a symlink, or null. Reads and writes
 * follow symlinked subfolders; removal and pruning never go through one, so nothing outside the root is deleted.
 */
export const symlinkOnPath = async (ctx: FsContext, folder: string): Promise<string | null> => {
  const { path } = ctx
  const top = path.resolve(ctx.root)
  for (let f = folder; path.resolve(f) !== top && path.resolve(f).startsWith(top); f = path.dirname(f)) {
    const st = await ctx.fs.lstat(f, { bigint: true }).catch(() => null)
    if (st?.isSymbolicLink() === true) return f
  }
  return null
}

/**
 * Removes now-empty folders from `folder` up to (not including) the root, so "a" can be written once "a/b" is gone.
 * Stops at a symlinked folder: an empty folder it points to is outside the root.
 */
export const pruneFolders = async (ctx: FsContext, folder: string): Promise<void> => {
  const { path } = ctx
  if ((await symlinkOnPath(ctx, folder)) !== null) return
  const top = path.resolve(ctx.root)
  for (let f = folder; path.resolve(f) !== top && path.resolve(f).startsWith(top); f = path.dirname(f)) {
    try {
      await ctx.fs.rmdir(f)
    } catch {
      return
    }
  }
}
