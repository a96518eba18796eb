import type { Storage } from '../storage/storage.js'
import { fail, storageFailure } from './errors.js'
import type { Entry, IndexDoc } from './index-file.js'
import type { IndexWriter } from './index-store.js'
import type { Serializer } from './serializer.js'

/** One checkpoint folder as the Checkpointer's parts share it: the storage, the serializer and the index. */
export interface Folder<Snapshot, Restored> {
  readonly storage: Storage
  readonly serializer: Serializer<Snapshot, Restored>
  readonly index: IndexWriter
  /** An empty index document carrying the policy's current state. */
  readonly empty: () => IndexDoc
  readonly log: (line: string) => void
}

/** The index as this writer last read or wrote it. */
export const currentDoc = (folder: Folder<unknown, unknown>): IndexDoc => folder.index.current()?.doc ?? folder.empty()

/** Deletes the files of `entries` that no entry of `live` still uses. */
export const removeFiles = async (storage: Storage, entries: ReadonlyArray<Entry>, live: ReadonlyArray<Entry>): Promise<void> => {
  const keep = new Set(live.flatMap((e) => e.files.map((f) => f.key)))
  for (const e of entries)
    for (const f of e.files)
      if (!keep.has(f.key))
        await storage
          .remove(f.key)
          .catch((err: unknown) => fail(storageFailure(err, `cannot remove "${f.key}" of checkpoint "${e.path}"`, f.key)))
}

/** Deletes the files of entries retention dropped, then clears them from the index. */
export const sweepRemoving = async (folder: Folder<unknown, unknown>): Promise<void> => {
  const removing = currentDoc(folder).removing
  if (removing.length === 0) return
  await removeFiles(folder.storage, removing, currentDoc(folder).checkpoints)
  const done = new Set(removing.map((e) => e.path))
  await folder.index.update((d) => ({ ...d, removing: d.removing.filter((e) => !done.has(e.path)) }), folder.empty)
}
