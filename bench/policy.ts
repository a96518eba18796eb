/**
 * Policy bench: the reducer's events per second, and one policy step plus one filename render,
 * each beside a hand-written `if (v < best)` loop measured in the same run.
 */
import * as E from 'fp-ts/lib/Either.js'
import { median, timeRuns, type BenchRow, type BenchSection } from './harness.js'
import { decodePolicyOptions, initialPolicyState, policyReducer, type PolicyConfig, type TrainingEvent } from '../src/policy/index.js'

const N = 200_000
const RUNS = 15

const configOf = (o: Record<string, unknown>): PolicyConfig => {
  const c = decodePolicyOptions(o)
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
}

/** A deterministic pseudo-random loss walk, so both sides see the same values. */
const losses = (n: number): Float64Array => {
  const out = new Float64Array(n)
  let x = 1
  let seed = 12345
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    x = Math.max(1e-3, x * (0.999 + (seed / 0x7fffffff - 0.5) * 0.01))
    out[i] = x
  }
  return out
}

let sink = 0

/** Runs the reducer over `events`, returning the number of saves (kept live in `sink`). */
const runPolicy = (config: PolicyConfig, events: ReadonlyArray<TrainingEvent>): void => {
  const step = policyReducer(config)
  let state = initialPolicyState(config)
  let saves = 0
  for (let i = 0; i < events.length; i++) {
    const r = step(state, events[i]!)
    if (E.isLeft(r)) throw new Error(r.left.message)
    state = r.right[0]
    if (r.right[1]._tag === 'Save') saves++
  }
  sink += saves
}

/** The baseline: a hand-written `if (v < best)` loop over the same events. */
const bestLoop = (events: ReadonlyArray<TrainingEvent>, key: string): void => {
  let best = Infinity
  let saves = 0
  for (let i = 0; i < events.length; i++) {
    const x = events[i]!.logs[key]!
    if (x < best) {
      best = x
      saves++
    }
  }
  sink += saves
}

const nsPerEvent = (msRuns: ReadonlyArray<number>, n: number): number => (median(msRuns) * 1e6) / n

const reducerThroughput = async (): Promise<BenchRow> => {
  // A realistic mix: 100 batches per epoch, then an epoch end; saveFreq 250 with saveBestOnly on the training loss.
  const v = losses(N)
  const events: TrainingEvent[] = []
  for (let i = 0; i < N; i++) {
    const epoch = Math.floor(i / 101)
    const b = i % 101
    events.push(
      b === 100
        ? { kind: 'epoch', epoch, logs: { loss: v[i]!, val_loss: v[i]! * 1.1 } }
        : { kind: 'batch', epoch, batch: b, logs: { loss: v[i]! } },
    )
  }
  const config = configOf({ filepath: 'ckpt-{epoch:02d}-{batch:04d}-{loss:.4f}.keras', monitor: 'loss', saveBestOnly: true, saveFreq: 250 })
  const subject = await timeRuns(RUNS, () => runPolicy(config, events), 2)
  const baseline = await timeRuns(RUNS, () => bestLoop(events, 'loss'), 2)
  const s = nsPerEvent(subject, N)
  const b = nsPerEvent(baseline, N)
  return {
    name: 'policy reducer: events per second (batch + epoch events, saveFreq 250, saveBestOnly)',
    subject: `${(1e9 / s / 1e6).toFixed(2)} M events/s (${s.toFixed(0)} ns/event median of ${RUNS} runs × ${N})`,
    baseline: `${(1e9 / b / 1e6).toFixed(2)} M events/s (${b.toFixed(1)} ns/event, hand-written if (v < best) loop)`,
    ratio: s / b,
    ratioMeaning: 'ckpt time / baseline time per event',
  }
}

const stepPlusRender = async (): Promise<BenchRow> => {
  // Every event is an epoch end, so every step renders the filename (saveFreq 'epoch' renders before deciding).
  const n = 100_000
  const v = losses(n)
  const events: TrainingEvent[] = Array.from({ length: n }, (_, i) => ({
    kind: 'epoch',
    epoch: i,
    logs: { loss: v[i]! * 1.2, val_loss: v[i]! },
  }))
  const config = configOf({ filepath: 'ckpt/epoch-{epoch:03d}-val_loss-{val_loss:.4f}.keras', saveBestOnly: true })
  const subject = await timeRuns(RUNS, () => runPolicy(config, events), 2)
  const baseline = await timeRuns(
    RUNS,
    () => {
      let best = Infinity
      let len = 0
      for (let i = 0; i < events.length; i++) {
        const x = events[i]!.logs.val_loss!
        const path = `ckpt/epoch-${String(i + 1).padStart(3, '0')}-val_loss-${x.toFixed(4)}.keras`
        if (x < best) best = x
        len += path.length
      }
      sink += len
    },
    2,
  )
  const s = nsPerEvent(subject, n)
  const b = nsPerEvent(baseline, n)
  return {
    name: 'one policy step + one filename render (epoch end, saveBestOnly, {epoch:03d} and {val_loss:.4f})',
    subject: `${s.toFixed(0)} ns per step+render (median of ${RUNS} runs × ${n})`,
    baseline: `${b.toFixed(0)} ns (if (v < best) + JS template literal with padStart/toFixed)`,
    ratio: s / b,
    ratioMeaning: 'ckpt time / baseline time per step',
    target: '< 2000 ns per step+render (median)',
    pass: s < 2000,
  }
}

const stepAlone = async (): Promise<BenchRow> => {
  // The same epoch-end steps with a field-less filepath: the policy's own cost, render reduced to a constant.
  const n = 100_000
  const v = losses(n)
  const events: TrainingEvent[] = Array.from({ length: n }, (_, i) => ({
    kind: 'epoch',
    epoch: i,
    logs: { loss: v[i]! * 1.2, val_loss: v[i]! },
  }))
  const config = configOf({ filepath: 'ckpt/best.keras', saveBestOnly: true })
  const subject = await timeRuns(RUNS, () => runPolicy(config, events), 2)
  const baseline = await timeRuns(RUNS, () => bestLoop(events, 'val_loss'), 2)
  const s = nsPerEvent(subject, n)
  const b = nsPerEvent(baseline, n)
  return {
    name: "one policy step without a filename field (epoch end, saveBestOnly): the policy's own share",
    subject: `${s.toFixed(0)} ns per step (median of ${RUNS} runs × ${n})`,
    baseline: `${b.toFixed(1)} ns (hand-written if (v < best) loop)`,
    ratio: s / b,
    ratioMeaning: 'ckpt time / baseline time per step',
  }
}

export default {
  name: 'policy',
  run: async () => {
    const rows = [await reducerThroughput(), await stepPlusRender(), await stepAlone()]
    if (sink === -1) console.log(sink)
    return rows
  },
} satisfies BenchSection
