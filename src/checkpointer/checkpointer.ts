import * as E from '#fp-ts/Either.js'
import {
  bestOf,
  configError,
  configIssue,
  fromJsonFloat,
  decodePolicyState,
  finishedSavingLastMessage,
  finishedSavingMessage,
  initialPolicyState,
  policyReducer,
  type PolicyState,
  type Ranking,
  type TrainingEvent,
} from '../policy/index.js'
import type { Tensors } from '../tensors/index.js'
import type { Which } from './candidates.js'
import { commitSave } from './commit.js'
import { entryRecord, regularEntries } from './entries.js'
import { fail, storageFailure } from './errors.js'
import { currentDoc, currentView, type Folder } from './folder.js'
import { emptyIndex, type Entry } from './index-file.js'
import { indexWriter, loadIndex, rebuildIndex } from './index-store.js'
import { decodeCheckpointerOptions, type CheckpointerConfig, type CheckpointerOptions } from './options.js'
import { readCode } from './read-load.js'
import { recover } from './recovery.js'
import { safetensorsSerializer } from './safetensors-serializer.js'
import { saveQueue } from './save-queue.js'
import { acquireWriterLock, type WriterLock } from './writer-lock.js'
import type { Serializer } from './serializer.js'

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
  /** Whether the regular checkpoint was saved (`last` aside). */
  readonly saved: boolean
  readonly path: string | null
  readonly committed: boolean
  readonly messages: ReadonlyArray<string>
  /** With `saveLast`, at a save opportunity: the path of the `last` checkpoint written; null otherwise. */
  readonly last: string | null
}

export interface Restored<R> {
  readonly entry: Entry
  readonly value: R
  /** Newer (or better) checkpoints that failed verification and were passed over, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>
}

export type { Which }

/** What `restore` reads. */
export interface RestoreOptions {
  /**
   * Only these tensors (a partial restore): the checkpoint's header and these tensors' bytes are read (positional
   * reads on fs, ranged GETs on S3) and verified, not the whole file. A name the checkpoint lacks is
   * `UnknownTensors`. Needs a serializer with `readTensors` (the default safetensors one has it).
   */
  readonly tensors?: ReadonlyArray<string>
}

/** The `tensors` of `options`, checked: null when not given. */
const tensorsOption = (options: unknown): ReadonlyArray<string> | null => {
  if (options === undefined) return null
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return fail(configError([configIssue('restore options', options, 'an object { tensors?: string[] }')]))
  const tensors = (options as { tensors?: unknown }).tensors
  if (tensors === undefined) return null
  if (!Array.isArray(tensors) || !tensors.every((n) => typeof n === 'string'))
    return fail(configError([configIssue('tensors', tensors, 'an array of tensor names (strings)')]))
  return tensors
}

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
   * `CorruptCheckpoint`, whose `fallback` names the newest valid checkpoint. With `tensors`, only those tensors
   * are read and verified (see {@link RestoreOptions}).
   */
  restore(which?: Which, options?: RestoreOptions): Promise<Restored<Restored_>>
  /** The policy's current state (plain JSON). */
  readonly state: PolicyState
  readonly config: CheckpointerConfig<Snapshot, Restored_>
  /** True while a background (`async`) save has not settled. */
  readonly inFlight: boolean
  /** Rethrows, once, the failure of a background save, without waiting (every other call also does). */
  rethrowFailure(): void
  /** Waits for the save in flight; rejects if a background save failed. */
  flush(): Promise<void>
  /** Flushes, then releases the folder's writer lock (the next save takes it again). The storage stays open. */
  releaseWriterLock(): Promise<void>
  /** Flushes, then releases the storage. */
  close(): Promise<void>
}

/**
 * Opens (or starts) a checkpoint folder on `storage` and returns the effectful shell around the pure policy.
 * An existing index resumes the policy from its stored state. Rejects with a `CheckpointFailure` on a bad
 * configuration or a corrupt index, touching nothing.
 */
export async function createCheckpointer<Snapshot = Tensors, R = Snapshot>(
  options: CheckpointerOptions<Snapshot, R>,
): Promise<Checkpointer<Snapshot, R>> {
  const decoded = decodeCheckpointerOptions<Snapshot, R>(options)
  if (E.isLeft(decoded)) return fail(decoded.left)
  const config = decoded.right
  const { policy, storage, isChief, log } = config
  const serializer = (config.serializer ??
    safetensorsSerializer({ maxShardSize: config.maxShardSize ?? undefined })) as unknown as Serializer<Snapshot, R>
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
  let state: PolicyState = initialPolicyState(policy, trigger)
  /** The policy resumes from the state the index holds (read again after recovery, which may adopt a newer save). */
  const resumeState = (stored: unknown): void => {
    if (stored === null || stored === undefined) return
    const s = decodePolicyState(stored, trigger)
    if (E.isLeft(s))
      return fail({ _tag: 'CorruptIndex', key: 'ckpt-index.json', message: `the index's policy state cannot be used: ${s.left.message}` })
    state = s.right
  }
  // From the state, not `doc`: that would list every checkpoint (100,000 at scale) only to read one field.
  if (loaded !== null) resumeState(loaded.state.policyState)
  let lock: Promise<WriterLock | null> | null = null
  const takeLock = async () => {
    // The writer's opening (fs: sweep, link probe) settles the capabilities the writes choose their conditions from.
    await storage.open().catch((e: unknown) => fail(storageFailure(e, `cannot open ${storage.name} for writing`, '')))
    if (!config.writerLock) return
    lock ??= acquireWriterLock(storage, log, config.lockStaleAfter).catch((e: unknown) => {
      lock = null // a refused lock is asked again at the next write
      throw e
    })
    await (await lock)?.refresh()
  }
  const folder: Folder<Snapshot, R> = {
    storage,
    serializer,
    index: indexWriter(storage, loaded, log),
    empty: () => emptyIndex(state),
    log,
    lock: takeLock,
  }
  if (isChief) {
    await recover(folder)
    resumeState(currentView(folder).policyState)
  }
  const latest = currentView(folder).latest()
  // The policy resumes from the state of the latest commit: the newest checkpoint's.
  if (policy.verbose > 0 && latest !== undefined) {
    const n = currentView(folder).size
    const best = state.best === null ? '' : `; the best ${policy.monitor} so far is ${String(fromJsonFloat(state.best))}`
    log(`${(await readCode()).resumedMessage(latest, false)} The index holds ${n} checkpoint${n === 1 ? '' : 's'}${best}.`)
  }

  const queue = saveQueue(state.best)
  const rules = { retention: policy.retention, ranking, enableVersionCounter: config.enableVersionCounter }
  /** A failed save must not count as the new best: the best goes back to the last committed one. */
  const failed = (e: unknown) => {
    if (state.best !== queue.committedBest) state = { ...state, best: queue.committedBest }
    return e
  }

  const step = async (event: TrainingEvent, source: SnapshotSource<Snapshot>): Promise<StepOutcome> => {
    queue.rethrowFailure()
    const r = reducer(state, event)
    if (E.isLeft(r)) return fail({ _tag: 'PolicyError', message: r.left.message })
    const [next, decision] = r.right
    for (const w of decision.warnings) log(`Warning: ${w}`)
    for (const m of decision.messages) log(m)
    state = next
    const { messages, last } = decision
    const regular = decision._tag === 'Save' ? decision : null
    if (regular === null && last === undefined) return { saved: false, path: null, committed: false, messages, last: null }
    if (!isChief) return { saved: false, path: regular?.path ?? null, committed: false, messages, last: last?.path ?? null }

    // One snapshot per checkpoint written (a serializer may free its snapshot once written): two when the regular
    // checkpoint and `last` are both due.
    const take = async (): Promise<Snapshot> =>
      serializer.capture(typeof source === 'function' ? await (source as () => Snapshot | Promise<Snapshot>)() : source, {
        immutable: config.immutableSnapshots,
      })
    let captured: Snapshot | null = null
    let capturedLast: Snapshot | null = null
    try {
      // At most one save in flight: the next save waits for it (and surfaces its failure).
      await queue.settle()
      if (regular !== null) captured = await take()
      if (last !== undefined) capturedLast = await take()
    } catch (e) {
      throw failed(e)
    }
    // The regular checkpoint first, then `last` (as Lightning): a failed regular save writes no `last` either.
    const commit = async (): Promise<{ readonly path: string | null; readonly last: string | null }> => {
      let path: string | null = null
      if (regular !== null) {
        path = await commitSave(folder, rules, queue, regular, captured as Snapshot, next)
        if (policy.verbose > 0) log(finishedSavingMessage(regular.epoch, path))
      }
      let lastPath: string | null = null
      if (last !== undefined) {
        lastPath = await commitSave(folder, rules, queue, last, capturedLast as Snapshot, next, 'last')
        if (policy.verbose > 0) log(finishedSavingLastMessage(last.epoch, lastPath))
      }
      return { path, last: lastPath }
    }
    if (config.async) {
      queue.background(
        commit().then(() => undefined),
        failed,
      )
      return { saved: regular !== null, path: regular?.path ?? null, committed: false, messages, last: last?.path ?? null }
    }
    try {
      const written = await commit()
      return { saved: regular !== null, path: written.path, committed: true, messages, last: written.last }
    } catch (e) {
      throw failed(e)
    }
  }

  const restore = async (which: Which = 'latest', options?: RestoreOptions): Promise<Restored<R>> => {
    const tensors = tensorsOption(options)
    await queue.settle()
    const { restoreFrom, rewoundState } = await readCode()
    const read = await restoreFrom(folder, currentDoc(folder).checkpoints, which, ranking, tensors)
    // Passing over corrupt newer checkpoints rewinds training to this one: so does the policy.
    const rewound = rewoundState(read, which, (u) => decodePolicyState(u, trigger))
    if (rewound !== null) {
      state = rewound
      queue.committedBest = rewound.best
    }
    return read
  }

  const settled = async <A>(read: () => A): Promise<A> => {
    await queue.settle()
    return read()
  }

  return {
    get state() {
      return state
    },
    config,
    onEpochEnd: (event, snapshot) =>
      step({ kind: 'epoch', epoch: event.epoch, logs: event.logs, time: event.time ?? Date.now() }, snapshot),
    onBatchEnd: (event, snapshot) =>
      step({ kind: 'batch', epoch: event.epoch, batch: event.batch, logs: event.logs, time: event.time ?? Date.now() }, snapshot),
    list: () => settled(() => currentDoc(folder).checkpoints),
    latest: () => settled(() => currentView(folder).latest() ?? null),
    // `last` is never ranked: the best is a regular checkpoint's.
    best: () => settled(() => bestOf(ranking, regularEntries(currentDoc(folder).checkpoints), entryRecord)),
    restore,
    get inFlight() {
      return queue.inFlight
    },
    rethrowFailure: () => queue.rethrowFailure(),
    flush: () => queue.settle(),
    releaseWriterLock: async () => {
      try {
        await queue.settle()
      } finally {
        // Released even when a background save failed: the folder must not stay locked by a live process.
        const held = lock
        lock = null
        await (await held?.catch(() => null))?.release()
      }
    },
    close: async () => {
      try {
        await queue.settle()
      } finally {
        await (await lock?.catch(() => null))?.release()
        await storage.close()
      }
    },
  }
}
