import type { Direction } from './auto-mode.js'

/**
 * Keras's `monitor_op(current - min_delta, best)`, with `min_delta` negated in mode min:
 * min improves when `current + minDelta < best`, max when `current - minDelta > best`. Strict.
 * An unset best (null) is improved by any value; callers filter NaN before asking.
 */
export const improves = (mode: Direction, minDelta: number, current: number, best: number | null): boolean =>
  best === null || (mode === 'min' ? current + minDelta < best : current - minDelta > best)

/** Keras's batch counting: a batch index at or below the last one seen starts a new epoch. */
export const batchesAdded = (lastBatchSeen: number | null, batch: number): number =>
  lastBatchSeen === null || batch <= lastBatchSeen ? batch + 1 : batch - lastBatchSeen
