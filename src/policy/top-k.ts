import { boundedHeap } from './bounded-heap.js'
import { rankValue, type CheckpointRecord, type Ranking } from './ranking.js'

/**
 * The records Lightning's `save_top_k = k` would hold after seeing `records` (in save order, oldest first), as
 * indices in save order. Lightning's rule is path-dependent, so it is replayed rather than sorted:
 * - while fewer than k are held, each record enters;
 * - then a record enters only if it is strictly better than the worst held (`torch.lt` / `torch.gt`): a tie is
 *   no improvement;
 * - it evicts the worst held, the oldest among tied worst (`max` / `min` over the insertion-ordered
 *   `best_k_models` returns the first).
 * A missing or NaN value counts as the worst possible value (+inf in min, -inf in max), as Lightning stores NaN.
 */
export const lightningTopK = (ranking: Ranking, records: ReadonlyArray<CheckpointRecord>, k: number): number[] => {
  const sign = ranking.mode === 'min' ? 1 : -1
  // Badness, lower is better. NaN is +inf: it ties with the worst value, +inf in min or -inf in max.
  const bad = records.map((r) => {
    const v = rankValue(ranking, r)
    return Number.isNaN(v) ? Infinity : sign * v
  })
  const worseThenOlder = (x: number, y: number): number => (bad[x] === bad[y] ? y - x : bad[x]! > bad[y]! ? 1 : -1)
  return boundedHeap(records.length, k, worseThenOlder, (i, top) => bad[i]! < bad[top]!).sort((a, b) => a - b)
}
