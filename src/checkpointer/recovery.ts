import { bySaveOrder, entryOf, inSaveOrder } from './entries.js'
import { currentView, filesOf, removeFiles, type Folder } from './folder.js'
import type { Entry } from './index-file.js'
import { sweepSegments } from './index-store.js'
import { readCode } from './read-load.js'

/**
 * Finishes what a crashed writer left in the index: removals to complete, overwrites to settle, segments no index
 * names. An overwrite whose old version still verifies goes back to the live list; one whose new artifact was
 * written but not yet committed is adopted from the entry data the artifact carries, so that neither version is
 * lost.
 */
export const recover = async (folder: Folder<unknown, unknown>): Promise<void> => {
  const { storage, serializer, log } = folder
  const state = folder.index.current()
  if (state !== null)
    // A compaction that crashed before or after its index write leaves segments behind: harmless, but they take space.
    await sweepSegments(storage, state, folder.lock).catch((e: unknown) =>
      log(`Warning: cannot remove index segments that no index names (retried on the next open): ${(e as Error).message}`),
    )
  const current = currentView(folder)
  if (current.removing.length === 0 && current.replacing.length === 0) return
  await folder.lock()
  const restorable: Entry[] = []
  const unverified: Entry[] = []
  const { verifyEntry } = await readCode()
  for (const e of current.replacing) {
    if (current.get(e.path) !== undefined) continue
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
  const restored = filesOf(restorable)
  await removeFiles(folder, current.removing, (key) => current.usesFile(key) || restored(key))
  const removed = new Set(current.removing.map((e) => e.path))
  await folder.index.update((v) => {
    // Back in save order, so that latest() and maxToKeep see the true order.
    const back = restorable.filter((r) => v.get(r.path) === undefined)
    // An adopted save newer than every committed one carries the policy state of that moment (its best, its
    // counters): the run resumes from it, not from the state before it, which would let a worse model overwrite it.
    const newest = [...back].sort(bySaveOrder).at(-1)
    const latest = v.latest()
    const newer = newest !== undefined && adopted.has(newest) && (latest === undefined || bySaveOrder(latest, newest) < 0)
    return {
      ...inSaveOrder(v, back, 'before'),
      replacing: [],
      removing: v.removing.filter((e) => !removed.has(e.path)),
      ...(newer ? { policyState: newest.policyState } : {}),
    }
  }, folder.empty)
}
