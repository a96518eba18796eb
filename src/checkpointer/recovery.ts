import { verifyEntry } from './artifact-reader.js'
import { bySaveOrder, entryOf } from './entries.js'
import { currentDoc, removeFiles, type Folder } from './folder.js'
import type { Entry } from './index-file.js'

/**
 * Finishes what a crashed writer left in the index: removals to complete, overwrites to settle. An overwrite
 * whose old version still verifies goes back to the live list; one whose new artifact was written but not yet
 * committed is adopted from the entry data the artifact carries, so that neither version is lost.
 */
export const recover = async (folder: Folder<unknown, unknown>): Promise<void> => {
  const { storage, serializer } = folder
  const current = currentDoc(folder)
  if (current.removing.length === 0 && current.replacing.length === 0) return
  await folder.lock()
  const restorable: Entry[] = []
  const unverified: Entry[] = []
  for (const e of current.replacing) {
    if (current.checkpoints.some((c) => c.path === e.path)) continue
    ;((await verifyEntry(storage, e)) === null ? restorable : unverified).push(e)
  }
  const adopted = new Set<Entry>()
  if (unverified.length > 0 && serializer.scan !== undefined) {
    const wanted = new Set(unverified.map((e) => e.path))
    for (const found of await serializer.scan(storage))
      if (wanted.has(found.path)) {
        const entry = entryOf(serializer.format, found.path, found.meta, found.files)
        adopted.add(entry)
        restorable.push(entry)
      }
  }
  await removeFiles(folder, current.removing, [...current.checkpoints, ...restorable])
  const removed = new Set(current.removing.map((e) => e.path))
  await folder.index.update((d) => {
    // Back in save order, so that latest() and maxToKeep see the true order.
    const checkpoints = [...restorable.filter((r) => !d.checkpoints.some((c) => c.path === r.path)), ...d.checkpoints].sort(bySaveOrder)
    // An adopted save newer than every committed one carries the policy state of that moment (its best, its
    // counters): the run resumes from it, not from the state before it, which would let a worse model overwrite it.
    const newest = checkpoints.at(-1)
    const newer = newest !== undefined && adopted.has(newest) && d.checkpoints.every((c) => bySaveOrder(c, newest) < 0)
    return {
      ...d,
      checkpoints,
      replacing: [],
      removing: d.removing.filter((e) => !removed.has(e.path)),
      ...(newer ? { policyState: newest.policyState } : {}),
    }
  }, folder.empty)
}
