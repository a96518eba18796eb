import { rankValue, topRanked, type CheckpointRecord, type Ranking } from './ranking.js'
import type { RetentionOptions } from './retention-options.js'
import { lightningTopK } from './top-k.js'

export interface RetentionResult<R extends CheckpointRecord = CheckpointRecord> {
  /** Survivors, in save order (oldest first); they end with the added record unless `keepLatest` is false. */
  readonly keep: R[]
  /** Checkpoints to delete, in save order. Never one whose path the added one reuses; the added one only when `keepLatest` is false. */
  readonly remove: R[]
}

/** True when at least one retention rule is set (`keepLatest` and `keepBest` are protections, not rules). */
export const hasRetentionRule = (o: RetentionOptions): boolean =>
  o.saveTopK !== undefined || o.maxToKeep !== undefined || o.keepPeriod !== undefined || o.keepTimeInterval !== undefined

/**
 * Decides which checkpoints to keep once `added` has been saved. Pure.
 * - `existing` is in save order (oldest first); a record with `added.path` is replaced (overwritten), not removed.
 * - A checkpoint survives if any configured rule keeps it; with no rule, all survive.
 * - Unless `keepLatest` is false, the newest (`added`) survives; unless `keepBest` is false, so does the best by
 *   `ranking` (if any record has a value). With both false, exactly what the rules keep survives.
 * - `saveTopK` keeps the set Lightning's `save_top_k` holds ({@link lightningTopK}), replayed over `existing`.
 *
 * @example retain({ maxToKeep: 2 }, { monitor: 'val_loss', mode: 'min' }, [a, b], c) // keep [b, c] plus the best
 * @example retain({ maxToKeep: 2, keepLatest: false, keepBest: false }, ranking, [a, b], c) // keep exactly [b, c]
 */
export const retain = <R extends CheckpointRecord>(
  options: RetentionOptions,
  ranking: Ranking,
  existing: ReadonlyArray<R>,
  added: R,
): RetentionResult<R> => {
  const all = [...existing.filter((r) => r.path !== added.path), added]
  if (!hasRetentionRule(options)) return { keep: all, remove: [] }
  const n = all.length
  const kept = new Array<boolean>(n).fill(false)
  const { saveTopK, maxToKeep, keepPeriod, keepTimeInterval, keepLatest = true, keepBest = true } = options
  if (keepLatest) kept[n - 1] = true
  if (keepBest) {
    // Selected, not sorted: retention runs on every save, over every live checkpoint.
    const top = topRanked(ranking, all, (r) => r, 1)[0]
    if (top !== undefined && !Number.isNaN(rankValue(ranking, all[top]!))) kept[top] = true
  }
  if (saveTopK !== undefined) {
    if (saveTopK === -1 || saveTopK >= n) kept.fill(true)
    // Replayed over the survivors: they hold every checkpoint Lightning still holds, in the order it saw them.
    else for (const i of lightningTopK(ranking, all, saveTopK)) kept[i] = true
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
  const keep: R[] = []
  const remove: R[] = []
  for (let i = 0; i < n; i++) (kept[i] ? keep : remove).push(all[i]!)
  return { keep, remove }
}
