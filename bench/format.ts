/**
 * Bench: a compiled template's renders per second against a hand-written JS template literal
 * that builds the same filename, measured in the same process.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { parseTemplate } from '../src/format/index.js'
import { median, timeRuns, type BenchRow, type BenchSection } from './harness.js'

const TEMPLATE = 'epoch_{epoch:02d}-val_loss_{val_loss:.4f}.weights.h5'
const RENDERS = 200_000
const RUNS = 9

/** Inputs that vary per render, as in training: epochs 1..n, losses in (0, 2). */
const epochs = Array.from({ length: 1024 }, (_, i) => BigInt(i + 1))
const losses = Array.from({ length: 1024 }, (_, i) => 2 / (i + 1.37))

const handWritten = (e: bigint, v: number): string => `epoch_${String(e).padStart(2, '0')}-val_loss_${v.toFixed(4)}.weights.h5`

const run = async (): Promise<ReadonlyArray<BenchRow>> => {
  const compiled = parseTemplate(TEMPLATE)
  if (isLeft(compiled)) throw new Error(compiled.left.message)
  const t = compiled.right
  // Same output, checked before timing.
  for (let i = 0; i < 1024; i++) {
    const r = t.render({ epoch: epochs[i]!, val_loss: losses[i]! })
    if (isLeft(r) || r.right !== handWritten(epochs[i]!, losses[i]!)) throw new Error(`bench outputs differ at ${i}`)
  }
  let sink = 0
  const subject = await timeRuns(RUNS, () => {
    for (let i = 0; i < RENDERS; i++) {
      const r = t.render({ epoch: epochs[i & 1023]!, val_loss: losses[i & 1023]! })
      if (r._tag === 'Right') sink += r.right.length
    }
  })
  const baseline = await timeRuns(RUNS, () => {
    for (let i = 0; i < RENDERS; i++) sink += handWritten(epochs[i & 1023]!, losses[i & 1023]!).length
  })
  if (sink === 0) throw new Error('nothing rendered')
  const subjectNs = (median(subject) * 1e6) / RENDERS
  const baselineNs = (median(baseline) * 1e6) / RENDERS
  return [
    {
      name: `compiled template render: ${TEMPLATE}`,
      subject: `${(1e9 / subjectNs).toFixed(0)} renders/s (${subjectNs.toFixed(0)} ns/render, median of ${RUNS} runs of ${RENDERS})`,
      baseline: `${(1e9 / baselineNs).toFixed(0)} renders/s (${baselineNs.toFixed(0)} ns/render) hand-written template literal with padStart/toFixed`,
      ratio: subjectNs / baselineNs,
      ratioMeaning: 'time per render, template / template literal',
      target: 'a render well under 1 µs',
      pass: subjectNs < 1000,
    },
  ]
}

export default { name: 'format', run } satisfies BenchSection
