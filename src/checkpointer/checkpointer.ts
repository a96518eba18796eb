import * as E from 'fp-ts/lib/Either.js'
import {
  decodePolicyState,
  finishedSavingMessage,
  initialPolicyState,
  policyReducer,
  rankValue,
  retain,
  type CheckpointRecord,
  type PolicyState,
  type Ranking,
  type Save,
  type TrainingEvent,
} from '../policy/index.js'
import type { Tensors } from '../tensors/index.js'
import type { Storage } from '../storage/storage.js'
import { recordingWriter, verifyEntry, verifyingReader } from './artifact-io.js'
import { asStorageError, CheckpointFailure, storageFailure, type CheckpointError } from './errors.js'
import { emptyIndex, type Entry, type IndexDoc } from './index-file.js'
import { indexWriter, loadIndex, rebuildIndex } from './index-store.js'
import { decodeCheckpointerOptions, type CheckpointerConfig, type CheckpointerOptions } from './options.js'
import { safetensorsSerializer } from './safetensors-serializer.js'
import type { Serializer } from './serializer.js'
import { freePath } from './version-counter.js'

/** A snapshot, or a function that takes one; it is called only when the policy decides to save. */
export type SnapshotSource<Snapshot> = Snapshot | (() => Snapshot | Promise<Snapshot>)

export interface EpochEndEvent {
  /** 0-based. */
  readonly epoch: number
  readonly logs: Readonly<Record<string, number>>
  /** ms since the Unix epoch; default `Date.now()`. */
  readonly time?: number
}

export interface BatchEndEvent extends EpochEndEvent {
  /** 0-based, restarting each epoch. */
  readonly batch: number
}

/** What one event did. With `async`, `committed` is false until the background save finishes. */
export interface StepOutcome {
  readonly saved: boolean
  readonly path: string | null
  readonly committed: boolean
  readonly messages: ReadonlyArray<string>
}

export interface Restored<R> {
  readonly entry: Entry
  readonly value: R
  /** Newer (or better) checkpoints that failed verification and were passed over, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

export type Which = 'latest' | 'best' | string

export interface Checkpointer<Snapshot, Restored_> {
  onEpochEnd(event: EpochEndEvent, snapshot: SnapshotSource<Snapshot>): Promise<StepOutcome>
  onBatchEnd(event: BatchEndEvent, snapshot: SnapshotSource<Snapshot>): Promise<StepOutcome>
  /** Live checkpoints in commit order (oldest first). */
  list(): Promise<ReadonlyArray<Entry>>
  latest(): Promise<Entry | null>
  best(): Promise<Entry | null>
  /**
   * Restores `'latest'`, `'best'` or a path. Every checksum is verified. For `'latest'` and `'best'` a
   * corrupt checkpoint is passed over (and reported in `skipped`); for a path it rejects with
   * `CorruptCheckpoint`, whose `fallback` names the newest valid checkpoint.
   */
  restore(which?: Which): Promise<Restored<Restored_>>
  /** The policy's current state (plain JSON). */
  readonly state: PolicyState
  readonly config: CheckpointerConfig<Snapshot, Restored_>
  /** Waits for the save in flight; rejects if a background save failed. */
  flush(): Promise<void>
  /** Flushes, then releases the storage. */
  close(): Promise<void>
}

const fail = (error: CheckpointError): never => {
  throw new CheckpointFailure(error)
}

const toRecord = (e: Entry): CheckpointRecord => ({ path: e.path, epoch: e.epoch, step: e.step, metrics: e.metrics, time: e.time, score: e.score })

export const bestEntry = (ranking: Ranking, entries: ReadonlyArray<Entry>): Entry | null => {
  let best: Entry | null = null
  let bestValue = NaN
  for (const e of entries) {
    const v = rankValue(ranking, toRecord(e))
    if (Number.isNaN(v)) continue
    // Ties go to the older checkpoint, as in retention (and Lightning): a tie is not an improvement.
    if (best === null || (ranking.mode === 'min' ? v < bestValue : v > bestValue)) {
      best = e
      bestValue = v
    }
  }
  return best
}

/**
 * Opens (or starts) a checkpoint folder on `storage` and returns the effectful shell around the pure policy.
 * An existing index resumes the policy from its stored state. Rejects with a `CheckpointFailure` on a bad
 * configuration or a corrupt index, touching nothing.
 */
export async function createCheckpointer<Snapshot = Tensors, R = Snapshot>(options: CheckpointerOptions<Snapshot, R>): Promise<Checkpointer<Snapshot, R>> {
  const decoded = decodeCheckpointerOptions<Snapshot, R>(options)
  if (E.isLeft(decoded)) return fail(decoded.left)
  const config = decoded.right
  const { policy, storage, isChief, log } = config
  const serializer = (config.serializer ?? safetensorsSerializer()) as unknown as Serializer<Snapshot, R>
  for (const w of policy.warnings) log(`Warning: ${w}`)

  const trigger = config.trigger ? { trigger: config.trigger } : {}
  const reducer = policyReducer(policy, trigger)
  const ranking: Ranking = { monitor: policy.monitor, mode: policy.mode }

  let loaded = await loadIndex(storage)
  if (loaded === null && isChief) {
    const rebuilt = await rebuildIndex(storage, serializer)
    if (rebuilt !== null) {
      log(`Rebuilt the lost index from ${rebuilt.doc.checkpoints.length} checkpoint(s) found in the storage`)
      loaded = rebuilt
    }
  }
  const writer = indexWriter(storage, loaded)
  let state: PolicyState = initialPolicyState(policy, trigger)
  if (loaded !== null && loaded.doc.policyState !== null && loaded.doc.policyState !== undefined) {
    const s = decodePolicyState(loaded.doc.policyState, trigger)
    if (E.isLeft(s)) return fail({ _tag: 'CorruptIndex', key: 'ckpt-index.json', message: `the index's policy state cannot be used: ${s.left.message}` })
    state = s.right
  }
  const empty = () => emptyIndex(state)
  const doc = (): IndexDoc => writer.current()?.doc ?? empty()

  const removeFiles = async (entries: ReadonlyArray<Entry>, live: ReadonlyArray<Entry>) => {
    const keep = new Set(live.flatMap((e) => e.files.map((f) => f.key)))
    for (const e of entries)
      for (const f of e.files)
        if (!keep.has(f.key))
          await storage.remove(f.key).catch((err: unknown) => fail(storageFailure(err, `cannot remove "${f.key}" of checkpoint "${e.path}"`, f.key)))
  }

  /** Finishes what a crashed writer left: removals to complete, overwrites to settle. */
  const recover = async () => {
    const current = doc()
    if (current.removing.length === 0 && current.replacing.length === 0) return
    const restorable: Entry[] = []
    const unverified: Entry[] = []
    for (const e of current.replacing) {
      if (current.checkpoints.some((c) => c.path === e.path)) continue
      ;((await verifyEntry(storage, e)) === null ? restorable : unverified).push(e)
    }
    // An overwrite whose new artifact was written but not yet committed: adopt the new artifact from the
    // entry data it carries, so that neither the old nor the new version is lost.
    if (unverified.length > 0 && serializer.scan !== undefined) {
      const wanted = new Set(unverified.map((e) => e.path))
      for (const found of await serializer.scan(storage))
        if (wanted.has(found.path)) restorable.push({ path: found.path, format: serializer.format, ...found.meta, files: [...found.files] })
    }
    await removeFiles(current.removing, [...current.checkpoints, ...restorable])
    const removed = new Set(current.removing.map((e) => e.path))
    await writer.update(
      (d) => ({
        ...d,
        // Back in save order, so that latest() and maxToKeep see the true order.
        checkpoints: [...restorable.filter((r) => !d.checkpoints.some((c) => c.path === r.path)), ...d.checkpoints].sort(
          (a, b) => a.time - b.time || a.step - b.step || a.epoch - b.epoch,
        ),
        replacing: [],
        removing: d.removing.filter((e) => !removed.has(e.path)),
      }),
      empty,
    )
  }
  if (isChief) await recover()

  let inflight: Promise<void> | null = null
  /** Retention's deletions after the last commit; never rejects. */
  let cleanup: Promise<void> = Promise.resolve()
  let backgroundError: unknown = null

  /** Rethrows a background save's failure, once. */
  const rethrow = () => {
    if (backgroundError !== null) {
      const e = backgroundError
      backgroundError = null
      throw e
    }
  }
  const surface = async () => {
    if (inflight) await inflight
    await cleanup
    rethrow()
  }
  /**
   * The best value as of the last committed save. A failed save must not count as the new best: after a
   * failure the best goes back to this, and the next improvement over it saves again.
   */
  let committedBest: PolicyState['best'] = state.best
  const forgetBest = () => {
    if (state.best !== committedBest) state = { ...state, best: committedBest }
  }

  const commit = async (decision: Save, captured: Snapshot, after: PolicyState): Promise<string> => {
    // One writer of the index at a time: the previous commit's cleanup finishes first.
    await cleanup
    const path = config.enableVersionCounter ? freePath(decision.path, (p) => doc().checkpoints.some((e) => e.path === p)) : decision.path
    const replaced = doc().checkpoints.find((e) => e.path === path)
    if (replaced)
      await writer.update((d) => ({ ...d, checkpoints: d.checkpoints.filter((e) => e.path !== path), replacing: [...d.replacing.filter((e) => e.path !== path), replaced] }), empty)

    const files = recordingWriter(storage)
    const meta = { epoch: decision.epoch, step: decision.step, batch: decision.batch, metrics: decision.metrics, score: decision.score, time: decision.time ?? Date.now(), policyState: after }
    await serializer.write(files, path, captured, meta)
    const entry: Entry = { path, format: serializer.format, ...meta, files: [...files.files] }

    await writer.update((d) => {
      const live = d.checkpoints.filter((e) => e.path !== path)
      const { keep, remove } = retain(policy.retention, ranking, live.map(toRecord), toRecord(entry))
      const gone = new Set(remove.map((r) => r.path))
      const removed = live.filter((e) => gone.has(e.path))
      const kept = new Set(keep.map((r) => r.path))
      return {
        ...d,
        checkpoints: [...live.filter((e) => kept.has(e.path)), entry],
        replacing: d.replacing.filter((e) => e.path !== path),
        removing: [...d.removing, ...removed],
        policyState: after,
        ranking,
      }
    }, empty)
    committedBest = after.best
    // The checkpoint is committed. Cleaning up after it runs in the background (deleting a large file can take
    // as long as writing one): the next commit, flush() and close() wait for it. It cannot undo the commit: a
    // failure is a warning, and what is left in `removing` is retried after the next commit and on the next open.
    cleanup = (async () => {
      try {
        // Files of the overwritten version that the new one no longer uses (e.g. old weight shards).
        if (replaced) await removeFiles([replaced], [entry])
        await sweepRemoving()
      } catch (e) {
        log(`Warning: checkpoint "${path}" is saved, but removing old checkpoints failed (retried later): ${(e as Error).message}`)
      }
    })()
    return path
  }

  /** Deletes the files of entries retention dropped, then clears them from the index. */
  const sweepRemoving = async () => {
    const removing = doc().removing
    if (removing.length === 0) return
    await removeFiles(removing, doc().checkpoints)
    const done = new Set(removing.map((e) => e.path))
    await writer.update((d) => ({ ...d, removing: d.removing.filter((e) => !done.has(e.path)) }), empty)
  }

  const step = async (event: TrainingEvent, source: SnapshotSource<Snapshot>): Promise<StepOutcome> => {
    rethrow()
    const r = reducer(state, event)
    if (E.isLeft(r)) return fail({ _tag: 'PolicyError', message: r.left.message })
    const [next, decision] = r.right
    for (const w of decision.warnings) log(`Warning: ${w}`)
    for (const m of decision.messages) log(m)
    state = next
    if (decision._tag === 'Skip') return { saved: false, path: null, committed: false, messages: decision.messages }
    if (!isChief) return { saved: false, path: decision.path, committed: false, messages: decision.messages }

    const finished = (path: string) => {
      if (policy.verbose > 0) log(finishedSavingMessage(decision.epoch, path))
    }
    const failed = (e: unknown) => {
      forgetBest()
      return e
    }
    // At most one save in flight: the next save waits for it (and surfaces its failure).
    try {
      await surface()
    } catch (e) {
      throw failed(e)
    }
    let captured: Snapshot
    try {
      const raw = typeof source === 'function' ? await (source as () => Snapshot | Promise<Snapshot>)() : source
      captured = serializer.capture(raw, { immutable: config.immutableSnapshots })
    } catch (e) {
      throw failed(e)
    }
    if (config.async) {
      inflight = commit(decision, captured, next).then(finished, (e: unknown) => {
        backgroundError = failed(e)
      })
      return { saved: true, path: decision.path, committed: false, messages: decision.messages }
    }
    try {
      const path = await commit(decision, captured, next)
      finished(path)
      return { saved: true, path, committed: true, messages: decision.messages }
    } catch (e) {
      throw failed(e)
    }
  }

  const candidates = (which: Which, entries: ReadonlyArray<Entry>): Entry[] => {
    if (which === 'latest') return [...entries].reverse()
    if (which === 'best') {
      const rest = [...entries]
      const out: Entry[] = []
      for (let b = bestEntry(ranking, rest); b !== null; b = bestEntry(ranking, rest)) {
        out.push(b)
        rest.splice(rest.indexOf(b), 1)
      }
      return out
    }
    const hit = entries.find((e) => e.path === which)
    return hit ? [hit] : []
  }

  const restore = async (which: Which = 'latest'): Promise<Restored<R>> => {
    await surface()
    const entries = doc().checkpoints
    const tried = candidates(which, entries)
    if (tried.length === 0)
      return fail({ _tag: 'NoSuchCheckpoint', which, message: entries.length === 0 ? 'there are no checkpoints to restore' : `no checkpoint "${which}"; the index has: ${entries.map((e) => e.path).join(', ')}` })
    const skipped: Array<{ path: string; reason: string }> = []
    for (const entry of tried) {
      try {
        const value = await serializer.read(verifyingReader(storage, entry), entry.path)
        // Passing over corrupt newer checkpoints rewinds training to this one: so does the policy.
        if (which === 'latest' && skipped.length > 0) {
          const resumed = decodePolicyState(entry.policyState, trigger)
          if (E.isRight(resumed)) {
            state = resumed.right
            committedBest = state.best
          }
        }
        return { entry, value, skipped }
      } catch (e) {
        // A storage failure (network, permissions) says nothing about the checkpoint: report it as it is.
        if (e instanceof CheckpointFailure && e.error._tag !== 'CorruptCheckpoint') throw e
        const reason = e instanceof Error ? e.message : String(e)
        if (which !== 'latest' && which !== 'best') {
          let fallback: string | null = null
          for (const other of [...entries].reverse())
            if (other !== entry && (await verifyEntry(storage, other)) === null) {
              fallback = other.path
              break
            }
          return fail({ _tag: 'CorruptCheckpoint', path: entry.path, message: `${reason}${fallback ? `; the newest valid checkpoint is "${fallback}"` : '; no other checkpoint is valid'}`, fallback })
        }
        log(`Warning: skipping corrupt checkpoint "${entry.path}": ${reason}`)
        skipped.push({ path: entry.path, reason })
      }
    }
    return fail({ _tag: 'CorruptCheckpoint', path: tried[0]!.path, message: `no valid checkpoint: ${skipped.map((s) => s.reason).join('; ')}`, fallback: null })
  }

  return {
    get state() {
      return state
    },
    config,
    onEpochEnd: (event, snapshot) => step({ kind: 'epoch', epoch: event.epoch, logs: event.logs, time: event.time ?? Date.now() }, snapshot),
    onBatchEnd: (event, snapshot) => step({ kind: 'batch', epoch: event.epoch, batch: event.batch, logs: event.logs, time: event.time ?? Date.now() }, snapshot),
    list: async () => {
      await surface()
      return doc().checkpoints
    },
    latest: async () => {
      await surface()
      return doc().checkpoints.at(-1) ?? null
    },
    best: async () => {
      await surface()
      return bestEntry(ranking, doc().checkpoints)
    },
    restore,
    flush: surface,
    close: async () => {
      try {
        await surface()
      } finally {
        await storage.close()
      }
    },
  }
}

export { asStorageError }
