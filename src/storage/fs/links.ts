import type { FsContext } from './context.js'
import { NO_LINKS, hasCode } from './failures.js'
import { tempIn } from './temp.js'

/** Whether this file system can make hard links, which `ifAbsent` needs (`link` is an atomic create-no-replace). */
export const probeLinks = async (ctx: FsContext): Promise<boolean> => {
  const { fs, root } = ctx
  const a = tempIn(ctx, root)
  const b = tempIn(ctx, root)
  const handle = await fs.open(a, 'wx', 0o666)
  try {
    await handle.close()
    await fs.link(a, b)
    return true
  } catch (e) {
    if (hasCode(NO_LINKS, e)) return false
    throw e
  } finally {
    await fs.unlink(a).catch(() => undefined)
    await fs.unlink(b).catch(() => undefined)
  }
}
