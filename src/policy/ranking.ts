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

/** The value a record is ranked by; NaN when it has none (NaN ranks worst, as in Lightning). */
export const rankValue = (ranking: Ranking, r: CheckpointRecord): number => {
  const v = r.metrics[ranking.monitor] ?? r.score
  return v === null || v === undefined ? NaN : v
}

/**
 * The one ranking rule of ckpt. Indices of `items` (given in save order, oldest first) ordered best first; items
 * without a value (NaN) come last. Ties keep save order, so the older of two equal checkpoints ranks first: a tie
 * is no improvement. `Checkpointer.best()`, `restore('best')`, `restoreBest`, retention's top-k and `ckpt ls` use it.
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

/** `items` best first by {@link rankOrder}, leaving out those without a value. */
export const bestFirst = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord): A[] =>
  rankOrder(ranking, items, record)
    .map((i) => items[i]!)
    .filter((item) => !Number.isNaN(rankValue(ranking, record(item))))

/** The best of `items` by {@link rankOrder}, or null when none has a value. */
export const bestOf = <A>(ranking: Ranking, items: ReadonlyArray<A>, record: (a: A) => CheckpointRecord): A | null =>
  bestFirst(ranking, items, record)[0] ?? null
