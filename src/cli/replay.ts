import * as E from '#fp-ts/Either.js'
import {
  batchesAdded,
  bestOf,
  hasRetentionRule,
  retain,
  type CheckpointRecord,
  type PolicyConfig,
  type Ranking,
  type SimulatedDecision,
} from '../policy/index.js'
import { inputError, type CliError } from './errors.js'
import type { LoggedEvent } from './training-log.js'

/** One save of a replay, as retention sees it. */
export interface ReplayedSave {
  /** Index of the event that saved it. */
  readonly index: number
  /** 0-based batch index for batch-level saves, else null. */
  readonly batch: number | null
  /** Whether the event carried a time (`record.time` is 0 otherwise). */
  readonly timed: boolean
  readonly record: CheckpointRecord
}

export interface RetentionReplay {
  /** Every save, in order. */
  readonly saves: ReadonlyArray<ReplayedSave>
  /** What would be on disk at the end: survivors in save order. */
  readonly kept: ReadonlyArray<ReplayedSave>
  /** Checkpoints retention deleted along the way, in deletion order (overwritten paths are not listed). */
  readonly removed: ReadonlyArray<ReplayedSave>
  /** For each deleted checkpoint, the save after whose commit retention deleted it. */
  readonly deletedBy: ReadonlyMap<ReplayedSave, ReplayedSave>
  /** The best kept checkpoint (ties go to the older one, as `Checkpointer.best()` picks), null when none has a value. */
  readonly best: ReplayedSave | null
  /** The newest kept checkpoint (of the regular ones: `last` is newer still). */
  readonly latest: ReplayedSave | null
  /** saveLast's `last` checkpoint at the end: the newest write of it (retention never deletes it), null without. */
  readonly last: ReplayedSave | null
}

/** The checkpoint the event at `index` writes at `path`, `step` batches into training. */
const replayedSave = (index: number, event: LoggedEvent['event'], path: string, step: number, monitor: string): ReplayedSave => {
  const monitored = Object.hasOwn(event.logs, monitor) ? event.logs[monitor] : undefined
  return {
    index,
    batch: event.batch ?? null,
    timed: event.time !== undefined,
    record: {
      path,
      epoch: event.epoch,
      step,
      metrics: event.logs,
      time: event.time ?? 0,
      score: monitored === undefined ? null : monitored,
    },
  }
}

/**
 * Applies the configuration's retention options to the saves of a replay, one save at a time, as the
 * Checkpointer does after each commit: `retain(options, ranking, survivors, newSave)`. Each save's `step`
 * counts training batches with Keras's rule (as the policy's state does); `time` is the event's.
 * A Left when `keepTimeInterval` is set and a saving event has no time.
 */
export const replayRetention = (
  config: PolicyConfig,
  events: ReadonlyArray<LoggedEvent>,
  decisions: ReadonlyArray<SimulatedDecision>,
  source: string,
): E.Either<CliError, RetentionReplay> => {
  const ranking: Ranking = { monitor: config.monitor, mode: config.mode }
  const saves: ReplayedSave[] = []
  const removed: ReplayedSave[] = []
  const deletedBy = new Map<ReplayedSave, ReplayedSave>()
  let survivors: ReplayedSave[] = []
  const saveOf = new Map<CheckpointRecord, ReplayedSave>()
  const withRules = hasRetentionRule(config.retention)
  const livePaths = new Set<string>()
  let step = 0
  let lastBatch: number | null = null
  let last: ReplayedSave | null = null
  for (let i = 0; i < events.length; i++) {
    const { line, event } = events[i]!
    if (event.batch !== undefined) {
      step += batchesAdded(lastBatch, event.batch)
      lastBatch = event.batch
    }
    const d = decisions[i]
    if (d?.last !== undefined) last = replayedSave(i, event, d.last, step, config.monitor)
    if (d === undefined || !d.save || d.path === null) continue
    if (config.retention.keepTimeInterval !== undefined && event.time === undefined)
      return E.left(
        inputError(
          `${source} line ${line}: keepTimeInterval needs the time of each saved event, and this one has none; give events a "time" (ms) in a JSON-lines history (a Keras CSV log has no times), or drop keepTimeInterval`,
        ),
      )
    const save = replayedSave(i, event, d.path, step, config.monitor)
    saves.push(save)
    if (!withRules) {
      // retain keeps everything without a rule (a reused path is overwritten): skip its O(n) copy per save.
      if (livePaths.has(save.record.path)) survivors = survivors.filter((s) => s.record.path !== save.record.path)
      livePaths.add(save.record.path)
      survivors.push(save)
      continue
    }
    saveOf.set(save.record, save)
    // retain returns the records it was given, so each maps back to its save.
    const r = retain(
      config.retention,
      ranking,
      survivors.map((s) => s.record),
      save.record,
    )
    for (const rec of r.remove) {
      removed.push(saveOf.get(rec)!)
      deletedBy.set(saveOf.get(rec)!, save)
    }
    survivors = r.keep.map((rec) => saveOf.get(rec)!)
  }
  return E.right({
    saves,
    kept: survivors,
    removed,
    deletedBy,
    best: bestOf(ranking, survivors, (s) => s.record),
    latest: survivors.at(-1) ?? null,
    last,
  })
}
