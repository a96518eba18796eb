/** Axis scales: linear maps and "nice" ticks (1, 2 or 5 times a power of ten), for numbers of any magnitude. */

export interface Ticks {
  /** The domain the axis shows, widened to whole ticks where that costs little. */
  readonly lo: number
  readonly hi: number
  readonly values: ReadonlyArray<number>
  readonly step: number
}

/** The nice step for about `count` intervals over `span` (> 0); at least 1 when `integer`. */
export const niceStep = (span: number, count: number, integer = false): number => {
  const raw = span / Math.max(1, count)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const m = raw / magnitude
  const step = (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * magnitude
  return integer ? Math.max(1, Math.round(step)) : step
}

/**
 * Ticks over [lo, hi], widened to whole steps at both ends so that the highest and lowest values have a labelled
 * tick beyond them. An empty or one-value domain is widened around its value first.
 */
export const niceTicks = (lo: number, hi: number, count: number, integer = false): Ticks => {
  if (!(hi > lo)) {
    const pad = integer ? 1 : Math.abs(lo) * 0.1 || 1
    lo -= pad
    hi += pad
  }
  // Values a few ulps apart (0.3 and 0.1 + 0.2): a step that small makes tick numbers past 2^53, where i++ no longer
  // moves and the loop below never ends. The axis gets a span the doubles can divide.
  const least = Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12
  if (hi - lo < least) {
    const mid = lo / 2 + hi / 2
    lo = mid - least / 2
    hi = mid + least / 2
  }
  const span = hi - lo
  // Values near ±1.7e308: a span past the largest double is stepped as a tenth of it, tenfold (still 1, 2 or 5 times a
  // power of ten), and ticks past the largest double are left out.
  const step = Number.isFinite(span) ? niceStep(span, count, integer) : niceStep(hi / 10 - lo / 10, count, integer) * 10
  const first = Math.floor(lo / step + 1e-9)
  const last = Math.ceil(hi / step - 1e-9)
  const values: number[] = []
  // Multiply, never accumulate: 0.1 + 0.2 drifts.
  for (let i = first; i <= last; i++) if (Number.isFinite(i * step)) values.push(i * step)
  return { lo: Math.max(first * step, -Number.MAX_VALUE), hi: Math.min(last * step, Number.MAX_VALUE), values, step }
}

/** A tick's label: as many decimals as the step needs; exponent notation only for very large or very small values. */
export const tickLabel = (v: number, step: number): string => {
  if (v === 0) return '0'
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))
  if (decimals <= 6 && Math.abs(v) < 1e9) return v.toFixed(decimals)
  return v.toExponential(Math.max(0, Math.min(8, Math.ceil(Math.log10(Math.abs(v) / step) - 1e-9))))
}

/** The linear map of [d0, d1] onto [r0, r1]. Halved before subtracting (exact), so that ±1.7e308 do not overflow. */
export const linear =
  (d0: number, d1: number, r0: number, r1: number) =>
  (v: number): number =>
    d1 === d0 ? (r0 + r1) / 2 : r0 + ((v / 2 - d0 / 2) / (d1 / 2 - d0 / 2)) * (r1 - r0)
