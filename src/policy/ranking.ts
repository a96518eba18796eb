import { boundedHeap } from './bounded-heap.js'
import type { Direction } from './auto-mode.js'

/** One saved checkpoint as ranking and retention see it. `epoch` is 0-based; `time` is ms since the Unix epoch. */
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

/** The value a record is ranked by; NaN when it has none (NaN ranks worst). */
export const rankValue = (ranking: Ranking, r: CheckpointRecord): number => {
  // An own key only: a monitor named like an Object.prototype key is not that key's function.
  const v = (Object.hasOwn(r.metrics, ranking.monitor) ? r.metrics[ranking.monitor] : undefined) ?? r.score
  return v === null || v === undefined ? NaN : v
}

/**
 * The one ranking rule of ckpt. Indices of `items` (given in save order, oldest first) ordered best first; items
 * without a value (NaN) come last. Ties keep save order, so the older of two equal checkpoints ranks first: a tie
 * is no improvement. `Checkpointer.best()`, `restore('best')`, `restoreBest`, retention's `keepBest` and `ckpt ls`
 * use it. (Retention's `saveTopK` follows Lightning instead: `lightningTopK` in top-k.ts.)
 */
export const rankOrder = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord): number[] => {
  const sign = ranking.mode === 'min' ? 1 : -1
  return items
    .map((item, i) => ({ i, v: rankValue(ranking, record(item)) }))
    .sort((x, y) => {
      const xn = Number.isNaN(x.v)
      const yn = Number.isNaN(y.v)
      if (xn !== yn) return xn ? 1 : -1
      if (xn || x.v === y.v) return x.i - y.i
      return sign * (x.v < y.v ? -1 : 1)
    })
    .map((x) => x.i)
}

/**
 * The first `k` of {@link rankOrder}, in that order, in O(n log k): a heap of the best `k` so far, the worst on
 * top. Retention calls it (for the best) on every save, over every live checkpoint.
 */
export const topRanked = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord, k: number): number[] => {
  const n = Math.min(Math.max(0, Math.floor(k)), items.length)
  if (n === 0) return []
  const sign = ranking.mode === 'min' ? 1 : -1
  const values = items.map((item) => rankValue(ranking, record(item)))
  /** < 0 when item `x` ranks before item `y`: by value, NaN last, then older first. */
  const compare = (x: number, y: number): number => {
    const a = values[x]!
    const b = values[y]!
    const an = Number.isNaN(a)
    const bn = Number.isNaN(b)
    if (an !== bn) return an ? 1 : -1
    if (an || a === b) return x - y
    return sign * (a < b ? -1 : 1)
  }
  return boundedHeap(items.length, n, compare, (i, top) => compare(i, top) < 0).sort(compare)
}

/** `items` best first by {@link rankOrder}, leaving out those without a value. */
export const bestFirst = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord): A[] =>
  rankOrder(ranking, items, record)
    .map((i) => items[i]!)
    .filter((item) => !Number.isNaN(rankValue(ranking, record(item))))

/** The best of `items` by {@link rankOrder}, or null when none has a value. */
export const bestOf = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord): A | null =>
  bestFirst(ranking, items, record)[0] ?? null
