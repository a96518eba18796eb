import type { CheckpointRecord } from '../policy/index.js'
import type { Entry, FileRecord, IndexDoc } from './index-file.js'
import type { IndexChange, IndexView } from './index-state.js'
import type { CheckpointMeta } from './serializer.js'

/** An index entry as ranking and retention see it. */
export const entryRecord = (e: Entry): CheckpointRecord => ({
  path: e.path,
  epoch: e.epoch,
  step: e.step,
  metrics: e.metrics,
  time: e.time,
  score: e.score,
})

/** Whether `e` is the `last` checkpoint of `saveLast`: never ranked, never deleted by retention. */
export const isLast = (e: Pick<Entry, 'last'>): boolean => e.last === true

/** The entries other than `last` (the list itself when there is none): what ranking and retention see. */
export const regularEntries = (entries: ReadonlyArray<Entry>): ReadonlyArray<Entry> =>
  entries.some(isLast) ? entries.filter((e) => !isLast(e)) : entries

/**
 * Save order: commit time, then step, then epoch (entries of one millisecond keep their training order); of the
 * two checkpoints of one save opportunity, `last` comes after the regular one, as it is written after it.
 */
export const bySaveOrder = (
  a: Pick<Entry, 'time' | 'step' | 'epoch' | 'last'>,
  b: Pick<Entry, 'time' | 'step' | 'epoch' | 'last'>,
): number => a.time - b.time || a.step - b.step || a.epoch - b.epoch || Number(isLast(a)) - Number(isLast(b))

/**
 * What a reader may restore, read-only: the live checkpoints plus those a crash left in `replacing` (an
 * overwrite in progress) that are not live, in save order. Each is verified before use, so a half-overwritten
 * one is passed over.
 */
export const restorableEntries = (doc: IndexDoc): Entry[] => {
  const live = new Set(doc.checkpoints.map((c) => c.path))
  return [...doc.checkpoints, ...doc.replacing.filter((r) => !live.has(r.path))].sort(bySaveOrder)
}

/** The index entry of a checkpoint from its entry data (the ranking belongs to the index, not the entry). */
export const entryOf = (format: string, path: string, meta: CheckpointMeta, files: ReadonlyArray<FileRecord>): Entry => {
  const { ranking: _ranking, ...data } = meta
  return { path, format, ...data, files: [...files] }
}

/**
 * The change that puts `entries` (not live) into the live list in save order: appended when they are newer than the
 * latest (the usual case, constant cost), else the whole list re-sorted (rare: an older save adopted or put back).
 * Of two entries in the same place in save order, `entries` go `before` or after the live one.
 */
export const inSaveOrder = (view: IndexView, entries: ReadonlyArray<Entry>, ties: 'before' | 'after'): IndexChange => {
  if (entries.length === 0) return {}
  const added = [...entries].sort(bySaveOrder)
  const paths = new Set(added.map((e) => e.path))
  const latest = view.latest()
  const order = latest === undefined ? -1 : bySaveOrder(latest, added[0]!)
  if (latest === undefined || (!paths.has(latest.path) && (order < 0 || (order === 0 && ties === 'after')))) return { add: added }
  const others = view.doc.checkpoints.filter((e) => !paths.has(e.path))
  return { reset: (ties === 'before' ? [...added, ...others] : [...others, ...added]).sort(bySaveOrder) }
}
