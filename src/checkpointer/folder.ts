import type { Storage } from '../storage/storage.js'
import { fail, storageFailure } from './errors.js'
import { asStorageError } from '../storage/errors.js'
import type { Entry, FileRecord, IndexDoc } from './index-file.js'
import type { IndexWriter } from './index-store.js'
import { emptyState, type IndexView } from './index-state.js'
import { readCode } from './read-load.js'
import type { Serializer } from './serializer.js'

/** One checkpoint folder as the Checkpointer's parts share it: the storage, the serializer and the index. */
export interface Folder<Snapshot, Restored> {
  readonly storage: Storage
  readonly serializer: Serializer<Snapshot, Restored>
  readonly index: IndexWriter
  /** An empty index document carrying the policy's current state. */
  readonly empty: () => IndexDoc
  readonly log: (line: string) => void
  /**
   * Before every write: opens the storage for writing and takes the folder's writer lock the first time
   * (memoised), refreshes the lock later.
   */
  readonly lock: () => Promise<void>
}

/** The index as this writer last read or wrote it. */
export const currentView = (folder: Folder<unknown, unknown>): IndexView => folder.index.current() ?? emptyState(folder.empty())

/** The same, every live checkpoint listed (built once per change: not for a save's own path). */
export const currentDoc = (folder: Folder<unknown, unknown>): IndexDoc => currentView(folder).doc

/** Whether the file at `record.key` is still the one ckpt wrote: its size as `stat` gave it, then as recorded. */
const stillOurs = async (storage: Storage, record: FileRecord, size: number): Promise<boolean> =>
  size === record.size && (await (await readCode()).matchesRecord(storage, record))

/**
 * Deletes the files of `entries` that `inUse` does not keep. Only what ckpt wrote: a file whose size or checksum is
 * no longer the recorded one was replaced by someone else, and is left in place with a warning.
 */
export const removeFiles = async (
  folder: Folder<unknown, unknown>,
  entries: ReadonlyArray<Entry>,
  inUse: (key: string) => boolean,
): Promise<void> => {
  const { storage, log } = folder
  for (const e of entries)
    for (const f of e.files) {
      if (inUse(f.key)) continue
      const failed = (err: unknown) => fail(storageFailure(err, `cannot remove "${f.key}" of checkpoint "${e.path}"`, f.key))
      const info = await storage.stat(f.key).catch(failed)
      if (info === null) continue
      if (
        !(await stillOurs(storage, f, info.size).catch((err: unknown) => (asStorageError(err)?._tag === 'NotFound' ? true : failed(err))))
      ) {
        log(`Warning: not removing "${f.key}" of checkpoint "${e.path}": it is not the file ckpt wrote (another writer replaced it)`)
        continue
      }
      await storage.remove(f.key).catch(failed)
    }
}

/** The files of `entries`, as a keep-predicate for {@link removeFiles}. */
export const filesOf = (entries: ReadonlyArray<Entry>): ((key: string) => boolean) => {
  const keys = new Set(entries.flatMap((e) => e.files.map((f) => f.key)))
  return (key) => keys.has(key)
}

/** Deletes the files of entries retention dropped, then clears them from the index. */
export const sweepRemoving = async (folder: Folder<unknown, unknown>): Promise<void> => {
  const view = currentView(folder)
  const removing = view.removing
  if (removing.length === 0) return
  await removeFiles(folder, removing, (key) => view.usesFile(key))
  const done = new Set(removing.map((e) => e.path))
  await folder.index.update((v) => ({ removing: v.removing.filter((e) => !done.has(e.path)) }), folder.empty)
}
