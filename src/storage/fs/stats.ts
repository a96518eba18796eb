import type { ObjectInfo } from '../storage.js'
import type { FsContext } from './context.js'
import { MISSING, fsFailure, hasCode } from './failures.js'
import type { FsStats } from './fs-module.js'

/** The etag of a file: inode, size and mtime in ns (base 36), so a replacement changes it. */
export const etagOf = (st: FsStats): string => `${st.ino.toString(36)}-${st.size.toString(36)}-${st.mtimeNs.toString(36)}`

export const infoOf = (st: FsStats): ObjectInfo => ({ size: Number(st.size), etag: etagOf(st) })

/** The file's stats, or null when it is missing. */
export const statOrNull = async (ctx: FsContext, key: string, file: string): Promise<FsStats | null> => {
  try {
    return await ctx.fs.stat(file, { bigint: true })
  } catch (e) {
    if (hasCode(MISSING, e)) return null
    throw fsFailure(key, 'stat', e)
  }
}
