import { RESERVED_PREFIX, compareKeys, keyProblem, type ParsedPrefix } from '../keys.js'
import { fileOf, type FsContext } from './context.js'
import { MISSING, fsFailure, hasCode } from './failures.js'

/** Collects the keys of the files below `folder`, skipping reserved names (temp files) and invalid keys. */
const walk = async (ctx: FsContext, folder: string, relative: string, out: string[]): Promise<void> => {
  let entries
  try {
    entries = await ctx.fs.readdir(folder, { withFileTypes: true })
  } catch (e) {
    if (hasCode(MISSING, e)) return
    throw e
  }
  for (const entry of entries) {
    const entryName = entry.name.toString()
    if (entryName.startsWith(RESERVED_PREFIX)) continue
    const key = relative === '' ? entryName : `${relative}/${entryName}`
    if (entry.isDirectory()) await walk(ctx, ctx.path.join(folder, entryName), key, out)
    else if (entry.isFile() && keyProblem(key) === null) out.push(key)
  }
}

/** The keys starting with the (checked) prefix, in byte order: only the prefix's folder is walked. */
export const listKeys = async (ctx: FsContext, p: ParsedPrefix): Promise<ReadonlyArray<string>> => {
  const out: string[] = []
  try {
    await walk(ctx, p.folder === '' ? ctx.root : fileOf(ctx, p.folder), p.folder, out)
  } catch (e) {
    throw fsFailure(p.prefix, 'list', e)
  }
  return out.filter((k) => k.startsWith(p.prefix)).sort(compareKeys)
}
