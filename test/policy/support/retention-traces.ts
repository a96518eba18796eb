import fc from 'fast-check'
import { retain, type CheckpointRecord, type Ranking, type RetentionOptions } from '../../../src/policy/index.js'

/** A save at 0-based epoch `i` whose monitored value is `score` (null: none), one second after the previous. */
export const rec = (i: number, score: number | null, extra: Partial<CheckpointRecord> = {}): CheckpointRecord => ({
  path: `c${i}.keras`,
  epoch: i,
  step: i * 10,
  metrics: score === null ? {} : { val_loss: score },
  time: i * 1000,
  score,
  ...extra,
})

export const min: Ranking = { monitor: 'val_loss', mode: 'min' }
export const max: Ranking = { monitor: 'val_loss', mode: 'max' }
export const paths = (rs: ReadonlyArray<CheckpointRecord>) => rs.map((r) => r.path)
export const epochs = (rs: ReadonlyArray<CheckpointRecord>) => rs.map((r) => r.epoch)

export interface Step {
  readonly kept: CheckpointRecord[]
  readonly removed: CheckpointRecord[]
  readonly added: CheckpointRecord
  readonly before: CheckpointRecord[]
}

/** Runs retention over a sequence of saves, as the Checkpointer does, returning the survivors after each. */
export const sequence = (o: RetentionOptions, ranking: Ranking, records: ReadonlyArray<CheckpointRecord>): Step[] => {
  let kept: CheckpointRecord[] = []
  const steps: Step[] = []
  for (const r of records) {
    const before = kept
    const { keep, remove } = retain(o, ranking, kept, r)
    kept = keep
    steps.push({ kept, removed: remove, added: r, before })
  }
  return steps
}

/**
 * Lightning 2.6.6's `save_top_k` written out as its source reads (`check_monitor_top_k`, `_update_best_and_save`):
 * `best` is the insertion-ordered `best_k_models`; a NaN is stored as ±inf; `kth` is `max` (min mode) over it, the
 * first of the tied worst. Returns the epochs held after each save. A null value is taken as NaN (ckpt's reading).
 */
export const lightningReference = (mode: 'min' | 'max', k: number, values: ReadonlyArray<number | null>): number[][] => {
  const best = new Map<number, number>()
  let kth = -1
  const better = (a: number, b: number) => (mode === 'min' ? a < b : a > b)
  return values.map((raw, epoch) => {
    const current = raw ?? NaN
    const enters = k === -1 || best.size < k || better(current, best.get(kth)!)
    if (enters) {
      const size = k === -1 ? best.size + 1 : k
      if (best.size === size && size > 0) best.delete(kth)
      best.set(epoch, Number.isNaN(current) ? (mode === 'min' ? Infinity : -Infinity) : current)
      if (best.size === size) {
        kth = -1
        for (const [e, v] of best) if (kth === -1 || better(best.get(kth)!, v)) kth = e
      }
    }
    return [...best.keys()].sort((a, b) => a - b)
  })
}

/** Values with many ties: a few repeated numbers, ±inf and NaN, sometimes none at all. */
export const tiedValue: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0, 0.25, 0.5, 1) },
  { weight: 2, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  { weight: 3, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(null) },
)

/** A save history with increasing times (0–3 s apart). */
export const historyOf = (value: fc.Arbitrary<number | null>, maxLength = 30): fc.Arbitrary<CheckpointRecord[]> =>
  fc.array(fc.tuple(value, fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength }).map((xs) => {
    let t = 0
    return xs.map(([s, dt], i) => rec(i, s, { time: (t += dt) }))
  })

export const ranking = fc.constantFrom<Ranking>(min, max)

/** Histories whose values are all different (no ties, no NaN, none missing). */
export const distinct = historyOf(fc.double({ min: -100, max: 100, noNaN: true })).filter(
  (rs) => new Set(rs.map((r) => r.score)).size === rs.length,
)
