/** Shared bench helpers: medians of repeated runs, ratios against a baseline measured in the same process. */
import type { Tensors } from '../src/tensors/index.js'

/** `count` float32 tensors of `bytes` each, named by `name`, with a few nonzero words each. */
export const floatTensors = (count: number, bytes: number, name: (i: number) => string): Tensors => {
  const out: Record<string, Tensors[string]> = {}
  for (let i = 0; i < count; i++) {
    const data = new Float32Array(bytes / 4)
    for (let j = 0; j < data.length; j += 1024) data[j] = i + j
    out[name(i)] = { dtype: 'F32', shape: [bytes / 4], data }
  }
  return out
}

/** Runs per measurement: `BENCH_RUNS` when set (1 checks that a section runs), else `fallback`. */
export const benchRuns = (fallback: number): number => Number(process.env['BENCH_RUNS'] ?? fallback)

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Runs `fn` `runs` times (after `warmup` runs) and returns each run's wall time in milliseconds. */
export const timeRuns = async (runs: number, fn: () => unknown, warmup = 1): Promise<number[]> => {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return out
}

/** One printed bench line: the subject's median, the baseline's median, their ratio, and the target. */
export interface BenchRow {
  readonly name: string
  readonly subject: string
  readonly baseline: string
  readonly ratio: number
  readonly ratioMeaning: string
  readonly target?: string
  readonly pass?: boolean
  /** Why the row was not measured (a peer that is not installed): printed instead of the figures. */
  readonly skipped?: string
}

/** A row that could not be measured, saying why. */
export const skippedRow = (name: string, why: string): BenchRow => ({
  name,
  subject: '',
  baseline: '',
  ratio: NaN,
  ratioMeaning: '',
  skipped: why,
})

export const printRow = (row: BenchRow): void => {
  if (row.skipped !== undefined) return console.log(`${row.name}\n  skipped:  ${row.skipped}`)
  const verdict = row.pass === undefined ? '' : row.pass ? '  [target met]' : '  [TARGET MISSED]'
  console.log(
    `${row.name}\n  ckpt:     ${row.subject}\n  baseline: ${row.baseline}\n  ratio:    ${row.ratio.toFixed(3)} (${row.ratioMeaning})${row.target ? `\n  target:   ${row.target}` : ''}${verdict}`,
  )
}

/** A bench section: a name and a function that prints its rows. */
export interface BenchSection {
  readonly name: string
  readonly run: () => Promise<ReadonlyArray<BenchRow>>
}
