import { randomBytes } from 'node:crypto'
import { RESERVED_PREFIX } from '../keys.js'
import type { FsContext } from './context.js'
import { errorCode } from './fs-module.js'

/** Temp files are `.ckpt~tmp.<pid>.<incarnation>.<random>`, in the folder of the key they will become. */
const TEMP_PREFIX = `${RESERVED_PREFIX}tmp.`
// The incarnation tells this process from an earlier one that had the same pid (a restarted container's
// pid 1), whose temp files are a crashed writer's.
const TEMP_NAME = /^\.ckpt~tmp\.(\d+)\.([0-9a-f]+)\.[0-9a-f]+$/
const INCARNATION = randomBytes(4).toString('hex')

/** A fresh temp file path in `folder`. */
export const tempIn = (ctx: FsContext, folder: string): string =>
  ctx.path.join(folder, `${TEMP_PREFIX}${process.pid}.${INCARNATION}.${randomBytes(8).toString('hex')}`)

/** Whether a process id is running on this host (EPERM: it runs, as another user). */
export const defaultIsProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errorCode(e) === 'EPERM'
  }
}

export interface SweepOptions {
  /** A temp file older than this is swept even if its writer's pid is alive. */
  readonly staleAfterMs: number
  readonly isAlive: (pid: number) => boolean
}

/**
 * Removes, below `folder`, the temp files of writers that are gone (their pid is not running, or it is this
 * pid in an earlier incarnation) and those older than `staleAfterMs`. Live writers' files are kept: another
 * storage object on the same folder may be writing them.
 */
export const sweepTemps = async (ctx: FsContext, folder: string, options: SweepOptions): Promise<void> => {
  let entries
  try {
    entries = await ctx.fs.readdir(folder, { withFileTypes: true })
  } catch {
    return
  }
  const now = Date.now()
  for (const entry of entries) {
    const entryName = entry.name.toString()
    const full = ctx.path.join(folder, entryName)
    if (entry.isDirectory()) {
      await sweepTemps(ctx, full, options)
      continue
    }
    const match = TEMP_NAME.exec(entryName)
    if (!match || !entry.isFile()) continue
    const pid = Number(match[1])
    const writerGone = pid === process.pid ? match[2] !== INCARNATION : !options.isAlive(pid)
    const st = writerGone ? null : await ctx.fs.stat(full, { bigint: true }).catch(() => null)
    const stale = st !== null && now - Number(st.mtimeMs) >= options.staleAfterMs
    if (writerGone || stale) await ctx.fs.unlink(full).catch(() => undefined)
  }
}

/** Exposed for tests: this process's incarnation token in its temp-file names. */
export const TEMP_INCARNATION = INCARNATION

/** Exposed for tests: whether a file name is one of the adapter's temp files. */
export const isTempName = (fileName: string): boolean => TEMP_NAME.test(fileName)
