import { hasRetentionRule, retain, type PolicyState, type Ranking, type RetentionOptions, type Save } from '../policy/index.js'
import { recordingWriter } from './artifact-writer.js'
import { entryOf, inSaveOrder, isLast, regularEntries } from './entries.js'
import { fail, storageFailure } from './errors.js'
import { currentView, removeFiles, sweepRemoving, type Folder } from './folder.js'
import type { IndexChange, IndexView } from './index-state.js'
import type { Entry } from './index-file.js'
import type { SaveQueue } from './save-queue.js'
import { readCode } from './read-load.js'
import { freePath } from './version-counter.js'

const anyOf = async (keys: ReadonlyArray<string>, f: (k: string) => Promise<boolean>): Promise<boolean> => {
  for (const k of keys) if (await f(k)) return true
  return false
}

export interface CommitRules {
  readonly retention: RetentionOptions
  readonly ranking: Ranking
  readonly enableVersionCounter: boolean
}

/**
 * After a failed overwrite: the entry being replaced goes back to the live list if its files still verify
 * (each file is replaced atomically, so a failed write usually leaves the old version whole). If it does not
 * but the new artifact was written completely (`written`: only its index write failed), the new one is adopted,
 * with the policy state after it (`adopt`), as the next open would. Otherwise it stays in `replacing`, for the
 * next open to settle. Never rejects: the save's own failure is what the caller needs.
 */
const settleFailedOverwrite = async (
  folder: Folder<unknown, unknown>,
  replaced: Entry,
  written: { readonly entry: Entry; readonly policyState: PolicyState; readonly adopt: () => void } | null,
): Promise<void> => {
  const path = replaced.path
  try {
    const back =
      (await (await readCode()).verifyEntry(folder.storage, replaced)) === null ? replaced : written !== null ? written.entry : null
    if (back === null) return
    await folder.index.update(
      (v) => ({
        ...inSaveOrder(v, [back], 'after'),
        replacing: v.replacing.filter((e) => e.path !== path),
        ...(back === written?.entry ? { policyState: written.policyState } : {}),
      }),
      folder.empty,
    )
    if (back === written?.entry) {
      written.adopt()
      folder.log(
        `Warning: the index write of checkpoint "${path}" failed, but its file was complete: it is listed, and the save is reported as failed`,
      )
    }
  } catch (e) {
    folder.log(
      `Warning: checkpoint "${path}" was being overwritten when the save failed; it is settled on the next open: ${(e as Error).message}`,
    )
  }
}

/**
 * The commit of `entry`: it is added (replacing any live entry at its path), and the entries retention drops move
 * to `removing`. Without a retention rule nothing else is read: the change costs the same at any count. With one,
 * retention sees every live checkpoint, once. With `keepLatest: false` retention may drop `entry` itself: it is
 * committed straight to `removing` (its files are written; the cleanup after the commit deletes them).
 */
const retained = (rules: CommitRules, view: IndexView, entry: Entry): IndexChange => {
  if (!hasRetentionRule(rules.retention)) return { add: [entry] }
  // Entries are retention's records as they are (no copy of each); the ones it drops come back as given. `last` is not
  // retention's: it neither counts toward a rule nor is ever deleted by one.
  const { remove } = retain(rules.retention, rules.ranking, regularEntries(view.doc.checkpoints), entry)
  const older = remove.filter((e) => e !== entry)
  return { drop: older.map((e) => e.path), add: older.length < remove.length ? [] : [entry], removing: [...view.removing, ...remove] }
}

/**
 * The commit of a `last` entry, in place of retention: it replaces the `last` at its path, and any other `last` (a
 * template that renders a new path each time, or a run with another `lastFilepath`) moves to `removing`.
 */
const lastReplaced = (view: IndexView, entry: Entry): IndexChange => {
  const older = view.doc.checkpoints.filter((e) => isLast(e) && e.path !== entry.path)
  return older.length === 0 ? { add: [entry] } : { drop: older.map((e) => e.path), add: [entry], removing: [...view.removing, ...older] }
}

/** A regular save must not replace `last`, nor `last` a regular checkpoint: each keeps its own path. */
const assertOwnPath = (replaced: Entry | undefined, last: boolean): void => {
  if (replaced === undefined || isLast(replaced) === last) return
  fail({
    _tag: 'PolicyError',
    message: last
      ? `lastFilepath rendered "${replaced.path}", the path of a regular checkpoint (of epoch ${replaced.epoch + 1}): give lastFilepath a path filepath never renders`
      : `filepath rendered "${replaced.path}", the path of the last checkpoint (saveLast): give lastFilepath a path filepath never renders`,
  })
}

/**
 * The commit protocol of one save. The entry being overwritten (same path) moves to `replacing` first; the
 * serializer writes the artifact, each file atomically, its commit point last; then one index write adds the
 * entry, applies retention and records the policy state. Cleaning up (files of the overwritten version that the
 * new one no longer uses, retention's deletions) runs after the commit, in the background of `queue`.
 * Resolves to the path saved.
 */
export const commitSave = async <Snapshot>(
  folder: Folder<Snapshot, unknown>,
  rules: CommitRules,
  queue: SaveQueue,
  decision: Save,
  captured: Snapshot,
  after: PolicyState,
  role: 'regular' | 'last' = 'regular',
): Promise<string> => {
  const last = role === 'last'
  const { storage, serializer, index, empty, log } = folder
  // One writer of the index at a time: the previous commit's cleanup finishes first.
  await queue.cleanupDone()
  await folder.lock()
  // A path is taken by a checkpoint of the index or by any file already there (as Lightning checks the file
  // system): the counter never overwrites a file ckpt did not write.
  const exists = async (k: string) =>
    (await storage.stat(k).catch((e: unknown) => fail(storageFailure(e, `cannot stat "${k}"`, k)))) !== null
  const taken = async (p: string) =>
    currentView(folder).get(p) !== undefined || (await exists(p)) || (await anyOf(serializer.claims?.(p) ?? [], exists))
  // `last` is rewritten at its own path: the version counter is for regular checkpoints.
  const path =
    rules.enableVersionCounter && !last ? await freePath(decision.path, taken, serializer.versionedPath?.bind(serializer)) : decision.path
  const replaced = currentView(folder).get(path)
  assertOwnPath(replaced, last)
  if (replaced) await index.update((v) => ({ drop: [path], replacing: [...v.replacing.filter((e) => e.path !== path), replaced] }), empty)

  // The overwritten entry is in `replacing` now: the live checkpoints' files are other checkpoints'.
  const files = recordingWriter(storage, (k) => currentView(folder).usesFile(k))
  const meta = {
    epoch: decision.epoch,
    step: decision.step,
    batch: decision.batch,
    metrics: decision.metrics,
    score: decision.score,
    time: decision.time ?? Date.now(),
    policyState: after,
    ranking: rules.ranking,
    ...(last ? { last: true as const } : {}),
  }
  try {
    await serializer.write(files, path, captured, meta)
  } catch (e) {
    if (replaced) await settleFailedOverwrite(folder, replaced, null)
    throw e
  }
  const entry = entryOf(serializer.format, path, meta, files.files)

  const commit = index.update(
    (v): IndexChange => ({
      ...(last ? lastReplaced(v, entry) : retained(rules, v, entry)),
      replacing: v.replacing.filter((e) => e.path !== path),
      policyState: after,
      ranking: rules.ranking,
    }),
    empty,
  )
  try {
    await commit
  } catch (e) {
    if (replaced)
      await settleFailedOverwrite(folder, replaced, { entry, policyState: after, adopt: () => (queue.committedBest = after.best) })
    throw e
  }
  queue.committedBest = after.best
  // The checkpoint is committed; cleaning up cannot undo that. A failure is a warning, and what is left in
  // `removing` is retried after the next commit and on the next open.
  queue.afterCommit(async () => {
    try {
      // Not what any live checkpoint uses: block lists are named by their contents, so checkpoints may share one.
      if (replaced) await removeFiles(folder, [replaced], (key) => currentView(folder).usesFile(key))
      await sweepRemoving(folder)
    } catch (e) {
      log(`Warning: checkpoint "${path}" is saved, but removing old checkpoints failed (retried later): ${(e as Error).message}`)
    }
  })
  return path
}
