import { IO_CALL_BYTES, chunksOf } from '../data.js'
import { fail, unsupported } from '../errors.js'
import type { Capabilities, ObjectInfo, WriteData, WriteOptions } from '../storage.js'
import { commit, type Committer } from './commit.js'
import { fileOf, type FsContext } from './context.js'
import { folderConflict, fsFailure } from './failures.js'
import { makeFolder, syncFolder } from './folders.js'
import { errorCode, type FsFileHandle } from './fs-module.js'
import { infoOf } from './stats.js'
import { tempIn } from './temp.js'

/** Creates the temp file next to the target; the folder is (re)made if a concurrent remove pruned it. */
const createTemp = async (ctx: FsContext, key: string, folder: string): Promise<{ temp: string; handle: FsFileHandle }> => {
  for (let attempt = 0; ; attempt++) {
    await makeFolder(ctx, key, folder)
    const temp = tempIn(ctx, folder)
    try {
      return { temp, handle: await ctx.fs.open(temp, 'wx', 0o666) }
    } catch (e) {
      if (errorCode(e) === 'ENOENT' && attempt < 3) continue
      if (errorCode(e) === 'ENOTDIR') throw folderConflict(ctx.name, key, e)
      throw fsFailure(key, `creating temp file in ${folder}`, e)
    }
  }
}

/** Writes every chunk in full, at most `IO_CALL_BYTES` a call (a short write is continued, a zero-byte write is an error). */
const writeAll = async (key: string, handle: FsFileHandle, data: WriteData): Promise<void> => {
  for await (const chunk of chunksOf(key, data)) {
    let offset = 0
    while (offset < chunk.byteLength) {
      let written: number
      try {
        written = (await handle.write(chunk, offset, Math.min(IO_CALL_BYTES, chunk.byteLength - offset), null)).bytesWritten
      } catch (e) {
        throw fsFailure(key, 'writing temp file', e)
      }
      if (written <= 0) throw fsFailure(key, 'writing temp file', new Error('write wrote 0 bytes'))
      offset += written
    }
  }
}

export interface Writer extends Committer {
  readonly capabilities: () => Capabilities
}

/**
 * An atomic write of a valid key: temp file in the key's folder, fsync, commit (rename or link), folder fsync.
 * Resolves to the stats of the written file; a failure removes the temp file and leaves the old object.
 */
export const writeObject = async (
  ctx: FsContext,
  by: Writer,
  key: string,
  data: WriteData,
  options?: WriteOptions,
): Promise<ObjectInfo> => {
  if (options?.ifAbsent === true && options.ifMatch !== undefined)
    fail(unsupported(key, `write of key "${key}": ifAbsent and ifMatch cannot be combined`))
  if (options?.ifAbsent === true && !by.capabilities().ifAbsent)
    fail(unsupported(key, `${ctx.name} cannot honour ifAbsent for key "${key}": the file system has no hard links`))
  const target = fileOf(ctx, key)
  const folder = ctx.path.dirname(target)
  const { temp, handle } = await createTemp(ctx, key, folder)
  let closed = false
  try {
    await writeAll(key, handle, data)
    if (ctx.durable) await handle.sync().catch((e) => Promise.reject(fsFailure(key, 'fsync of temp file', e)))
    const st = await handle.stat({ bigint: true }).catch((e) => Promise.reject(fsFailure(key, 'fstat of temp file', e)))
    closed = true
    await handle.close().catch((e) => Promise.reject(fsFailure(key, 'closing temp file', e)))
    await commit(ctx, by, key, temp, target, options)
    await syncFolder(ctx, key, folder)
    return infoOf(st)
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined)
    await ctx.fs.unlink(temp).catch(() => undefined)
    throw e
  }
}
