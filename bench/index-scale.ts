/**
 * Save cost against checkpoint count: one Checkpointer on memory storage, tiny tensors, no retention. Each count is
 * seeded with an index of N entries (written directly, as format version 1: every ckpt opens it), then the next
 * saves are timed one by one. Also the time to open the folder (reading the index) at each count, and the index
 * bytes and storage calls each save costs (from a counting wrapper around the storage).
 */
import { createCheckpointer } from '../src/checkpointer/index.js'
import { memoryStorage } from '../src/storage/memory.js'
import type { Storage } from '../src/storage/storage.js'
import type { Tensors } from '../src/tensors/index.js'
import { versionOneIndex } from '../test/checkpointer/support.js'
import { median, type BenchRow, type BenchSection } from './harness.js'

const COUNTS = [10, 1_000, 10_000, 100_000]
const RETENTION_COUNTS = [1_000, 10_000, 100_000]
/** Saves timed at each count, at most; fewer when they take longer than the budget (the quadratic index did). */
const SAVES = Number(process.env.BENCH_INDEX_SAVES ?? 100)
const BUDGET_MS = Number(process.env.BENCH_INDEX_BUDGET_MS ?? 10_000)
const WARMUP = 3
/**
 * Saves timed per round: few at small counts, to stay near N; at least two compaction cycles of the index file
 * (32 saves each) from 1,000 on, so that its steady state is measured, not only the saves right after opening.
 */
const perRound = (n: number) => Math.min(64, Math.max(5, Math.floor(n / 16)))

const tensors: Tensors = { w: { dtype: 'F32', shape: [4], data: Float32Array.of(1, 2, 3, 4) } }

/** Counts the bytes written to, and the calls made on, the index's keys. */
const counting = (storage: Storage) => {
  const totals = { bytes: 0, calls: 0 }
  const isIndex = (key: string | undefined) => key !== undefined && key.startsWith('ckpt-index')
  const wrapped: Storage = {
    ...storage,
    get name() {
      return storage.name
    },
    get capabilities() {
      return storage.capabilities
    },
    write: async (key, data, options) => {
      const info = await storage.write(key, data, options)
      if (isIndex(key)) {
        totals.calls++
        totals.bytes += info.size
      }
      return info
    },
    read: (key, range) => {
      if (isIndex(key)) totals.calls++
      return storage.read(key, range)
    },
    stat: (key) => {
      if (isIndex(key)) totals.calls++
      return storage.stat(key)
    },
    list: (prefix) => {
      if (isIndex(prefix)) totals.calls++
      return storage.list(prefix)
    },
    remove: (key) => {
      if (isIndex(key)) totals.calls++
      return storage.remove(key)
    },
  }
  return { storage: wrapped, totals }
}

interface AtCount {
  readonly n: number
  readonly openMs: ReadonlyArray<number>
  readonly reopenMs: ReadonlyArray<number>
  readonly saveMs: ReadonlyArray<number>
  readonly bytesPerSave: number
  readonly callsPerSave: number
}

/**
 * Rounds of: seed N entries, open, a few warm-up saves, a few timed saves, close, reopen. Few saves a round keep the
 * count near N (200 saves after 10 would measure 100); rounds repeat until enough saves are timed or the budget is
 * spent.
 */
const measure = async (n: number, retention: { readonly keepPeriod?: number } = {}): Promise<AtCount> => {
  const openMs: number[] = []
  const reopenMs: number[] = []
  const saveMs: number[] = []
  let bytes = 0
  let calls = 0
  const started = Date.now()
  while (saveMs.length < SAVES && (saveMs.length === 0 || Date.now() - started < BUDGET_MS)) {
    const base = memoryStorage()
    await base.write('ckpt-index.json', new TextEncoder().encode(versionOneIndex(n)))
    const { storage, totals } = counting(base)
    const options = {
      storage,
      filepath: 'run/e{epoch}.safetensors',
      monitor: 'loss',
      immutableSnapshots: true,
      log: () => {},
      ...retention,
    }
    const t0 = process.hrtime.bigint()
    const ckpt = await createCheckpointer(options)
    openMs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    let epoch = 2 * n + 1
    const save = async () => {
      const t = process.hrtime.bigint()
      await ckpt.onEpochEnd({ epoch: epoch++, logs: { loss: 1 } }, tensors)
      return Number(process.hrtime.bigint() - t) / 1e6
    }
    for (let i = 0; i < WARMUP; i++) await save()
    const before = { ...totals }
    for (let i = 0; i < perRound(n); i++) saveMs.push(await save())
    bytes += totals.bytes - before.bytes
    calls += totals.calls - before.calls
    await ckpt.close()
    // Opening the folder as this ckpt left it (in its own index layout).
    const t1 = process.hrtime.bigint()
    const reopened = await createCheckpointer({ ...options, storage: base })
    reopenMs.push(Number(process.hrtime.bigint() - t1) / 1e6)
    await reopened.close()
  }
  return { n, openMs, reopenMs, saveMs, bytesPerSave: bytes / saveMs.length, callsPerSave: calls / saveMs.length }
}

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

const section: BenchSection = {
  name: 'index-scale',
  async run(): Promise<BenchRow[]> {
    await measure(COUNTS[0]!) // warms the JIT up, so that the first count is not measured cold
    const results: AtCount[] = []
    for (const n of COUNTS) results.push(await measure(n))
    const first = results[0]!
    const rows: BenchRow[] = results.map((r) => ({
      name: `save cost at ${r.n.toLocaleString('en-US')} checkpoints (memory storage, tiny tensors, no retention)`,
      subject: `${median(r.saveMs).toFixed(3)} ms median, ${mean(r.saveMs).toFixed(3)} ms mean of ${r.saveMs.length} saves; index: ${r.callsPerSave.toFixed(2)} storage calls, ${(r.bytesPerSave / 1024).toFixed(1)} KiB written per save`,
      baseline: `at ${first.n} checkpoints: ${median(first.saveMs).toFixed(3)} ms median, ${(first.bytesPerSave / 1024).toFixed(1)} KiB per save`,
      ratio: median(r.saveMs) / median(first.saveMs),
      ratioMeaning: `median save time, ${r.n} / ${first.n} checkpoints`,
      target: '<= 2',
      pass: median(r.saveMs) / median(first.saveMs) <= 2,
    }))
    // Retention reads every live checkpoint at each save (linear); keepPeriod: 2 keeps every other one, so the count
    // stays near N while each save also removes one.
    const kept: AtCount[] = []
    for (const n of RETENTION_COUNTS) kept.push(await measure(n, { keepPeriod: 2 }))
    const k0 = kept[0]!
    for (const r of kept)
      rows.push({
        name: `save cost with retention (keepPeriod: 2) at ${r.n.toLocaleString('en-US')} checkpoints (memory storage, tiny tensors)`,
        subject: `${median(r.saveMs).toFixed(3)} ms median, ${mean(r.saveMs).toFixed(3)} ms mean of ${r.saveMs.length} saves; index: ${r.callsPerSave.toFixed(2)} storage calls, ${(r.bytesPerSave / 1024).toFixed(1)} KiB written per save`,
        baseline: `at ${k0.n.toLocaleString('en-US')} checkpoints: ${median(k0.saveMs).toFixed(3)} ms median`,
        ratio: median(r.saveMs) / median(k0.saveMs) / (r.n / k0.n),
        ratioMeaning: `median save time per checkpoint kept, ${r.n} / ${k0.n} (<= 1: retention is linear or better)`,
        target: '<= 1',
        pass: median(r.saveMs) / median(k0.saveMs) / (r.n / k0.n) <= 1,
      })
    const last = results.at(-1)!
    rows.push({
      name: `open a folder of ${last.n.toLocaleString('en-US')} checkpoints (createCheckpointer: read and validate the index)`,
      subject: `${median(last.reopenMs).toFixed(0)} ms median in the layout this ckpt writes; ${median(last.openMs).toFixed(0)} ms from a version-1 index`,
      baseline: `${first.n} checkpoints: ${median(first.reopenMs).toFixed(1)} ms`,
      ratio: median(last.reopenMs) / 1000,
      ratioMeaning: 'open time / 1 s',
      target: '<= 1',
      pass: median(last.reopenMs) <= 1000,
    })
    return rows
  },
}
export default section
