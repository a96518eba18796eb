import type { FsDirectoryHandle, FsFileHandle } from '../browser/dom.js'
import { RESERVED_PREFIX, keyProblem } from '../keys.js'

/** The DOMException names OPFS throws for a path that is not there (or is a file where a folder was expected). */
const ABSENT = new Set(['NotFoundError', 'TypeMismatchError'])

export const isAbsent = (e: unknown): boolean => ABSENT.has((e as { name?: unknown } | null)?.name as string)

/** `f()`, or `null` when what it looks up is not there. */
export const orNull = async <A>(f: () => Promise<A>): Promise<A | null> => {
  try {
    return await f()
  } catch (e) {
    if (isAbsent(e)) return null
    throw e
  }
}

/** The folder at `segments` below `base`: created with its parents when `create`, else `null` when missing. */
export const folderAt = async (
  base: FsDirectoryHandle,
  segments: ReadonlyArray<string>,
  create: boolean,
): Promise<FsDirectoryHandle | null> => {
  let folder = base
  for (const name of segments) {
    const next = await orNull(() => folder.getDirectoryHandle(name, { create }))
    if (next === null) return null
    folder = next
  }
  return folder
}

/** A key's folder segments and file name. */
export const splitKey = (key: string): { readonly folders: ReadonlyArray<string>; readonly name: string } => {
  const segments = key.split('/')
  return { folders: segments.slice(0, -1), name: segments[segments.length - 1]! }
}

/** The file of `key`, or `null` when it (or a folder on its path) is missing. */
export const fileAt = async (base: FsDirectoryHandle, key: string): Promise<FsFileHandle | null> => {
  const { folders, name } = splitKey(key)
  const folder = await folderAt(base, folders, false)
  return folder === null ? null : orNull(() => folder.getFileHandle(name))
}

/**
 * Removes the folders of `segments` that are empty, deepest first, stopping at the first that is not (a
 * concurrent writer's temp file keeps its folder) or is gone.
 */
export const pruneFolders = async (base: FsDirectoryHandle, segments: ReadonlyArray<string>): Promise<void> => {
  for (let depth = segments.length; depth > 0; depth--) {
    const parent = await folderAt(base, segments.slice(0, depth - 1), false)
    if (parent === null) return
    try {
      await parent.removeEntry(segments[depth - 1]!) // not recursive: fails on a folder that is not empty
    } catch {
      return
    }
  }
}

/** A file a walk visits, with its key and folder. */
export interface Visit {
  readonly key: string
  readonly file: FsFileHandle
  readonly folder: FsDirectoryHandle
}

/**
 * Every file below `folder` (whose key is `relative`), depth first: the objects, or with `temps` the temp files
 * (reserved names) instead. Folders with reserved names are never entered. A folder removed while it is walked
 * (a concurrent `remove` pruning it, empty) ends its part of the walk instead of failing the whole walk.
 */
export async function* walkFiles(folder: FsDirectoryHandle, relative: string, temps = false): AsyncGenerator<Visit> {
  try {
    for await (const entry of folder.values()) {
      const reserved = entry.name.startsWith(RESERVED_PREFIX)
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.kind === 'directory') {
        if (!reserved) yield* walkFiles(entry, key, temps)
      } else if (temps ? reserved : !reserved && keyProblem(key) === null) yield { key, file: entry, folder }
    }
  } catch (e) {
    if (!isAbsent(e)) throw e
  }
}
