import type { Direction } from './auto-mode.js'
import type { RetentionOptions } from './retention-options.js'

/** One saved checkpoint as retention sees it. `epoch` is 0-based; `time` is ms since the Unix epoch. */
export interface CheckpointRecord {
  readonly path: string
  readonly epoch: number
  readonly step: number
  readonly metrics: Readonly<Record<string, number>>
  readonly time: number
  readonly score: number | null
}

/** How checkpoints are ranked: by `metrics[monitor]` (falling back to `score`), in `mode`'s direction. */
export interface Ranking {
  readonly monitor: string
  readonly mode: Direction
}

export interface RetentionResult {
  /** Survivors, in save order (oldest first), ending with the added record. */
  readonly keep: CheckpointRecord[]
  /** Checkpoints to delete, in save order. Never the added one, nor one whose path it reuses. */
  readonly remove: CheckpointRecord[]
}

/** The value a record is ranked by; NaN when it has none (NaN ranks worst, as in Lightning). */
export const rankValue = (ranking: Ranking, r: CheckpointRecord): number => {
  const v = r.metrics[ranking.monitor] ?? r.score
  return v === null || v === undefined ? NaN : v
}

/** Sort key: lower is better; NaN is +Infinity in mode min and -Infinity in mode max, so worst either way. */
const badness = (ranking: Ranking, r: CheckpointRecord): number => {
  const v = rankValue(ranking, r)
  if (Number.isNaN(v)) return Infinity
  return ranking.mode === 'min' ? v : -v
}

/** Indices of `records` ordered best first; ties keep save order (the older wins, as in Lightning). */
const bestFirst = (ranking: Ranking, records: ReadonlyArray<CheckpointRecord>): number[] =>
  records
    .map((r, i) => ({ i, b: badness(ranking, r), nan: Number.isNaN(rankValue(ranking, r)) }))
    .sort((x, y) => (x.nan !== y.nan ? (x.nan ? 1 : -1) : x.b !== y.b ? (x.b < y.b ? -1 : 1) : x.i - y.i))
    .map((x) => x.i)

/** True when at least one retention rule is set. */
export const hasRetentionRule = (o: RetentionOptions): boolean =>
  o.saveTopK !== undefined || o.maxToKeep !== undefined || o.keepPeriod !== undefined || o.keepTimeInterval !== undefined

/**
 * Decides which checkpoints to keep once `added` has been saved. Pure.
 * - `existing` is in save order (oldest first); a record with `added.path` is replaced (overwritten), not removed.
 * - A checkpoint survives if any configured rule keeps it; with no rule, all survive.
 * - The newest (`added`) and the best by `ranking` (if any record has a value) always survive.
 *
 * @example retain({ maxToKeep: 2 }, { monitor: 'val_loss', mode: 'min' }, [a, b], c) // keep [b, c] plus the best
 */
export const retain = (
  options: RetentionOptions,
  ranking: Ranking,
  existing: ReadonlyArray<CheckpointRecord>,
  added: CheckpointRecord,
): RetentionResult => {
  const all = [...existing.filter((r) => r.path !== added.path), added]
  if (!hasRetentionRule(options)) return { keep: all, remove: [] }
  const n = all.length
  const kept = new Array<boolean>(n).fill(false)
  kept[n - 1] = true // newest
  const order = bestFirst(ranking, all)
  const top = order[0]
  if (top !== undefined && !Number.isNaN(rankValue(ranking, all[top]!))) kept[top] = true // best

  const { saveTopK, maxToKeep, keepPeriod, keepTimeInterval } = options
  if (saveTopK !== undefined) {
    const k = saveTopK === -1 ? n : saveTopK
    for (let j = 0; j < Math.min(k, n); j++) kept[order[j]!] = true
  }
  if (maxToKeep !== undefined) for (let i = Math.max(0, n - maxToKeep); i < n; i++) kept[i] = true
  if (keepPeriod !== undefined) for (let i = 0; i < n; i++) if ((all[i]!.epoch + 1) % keepPeriod === 0) kept[i] = true
  if (keepTimeInterval !== undefined) {
    // Walk in save order keeping the first record and each one at least an interval after the last kept by this rule.
    let last: number | null = null
    for (let i = 0; i < n; i++) {
      const t = all[i]!.time
      if (last === null || t - last >= keepTimeInterval) {
        kept[i] = true
        last = t
      }
    }
  }
  const keep: CheckpointRecord[] = []
  const remove: CheckpointRecord[] = []
  for (let i = 0; i < n; i++) (kept[i] ? keep : remove).push(all[i]!)
  return { keep, remove }
}
