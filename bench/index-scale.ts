/**
 * Save cost against checkpoint count: one Checkpointer on memory storage, tiny tensors, no retention (and with
 * `keepPeriod: 2`, to show retention's cost per checkpoint). Each count is seeded with an index of N entries
 * (written directly, as format version 1: every ckpt opens it), then the next saves are timed one by one. Also the
 * time to open a folder of 100,000 (on fs), and the index bytes and storage calls each save costs (counted by a wrapper
 * around the storage).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import { memoryStorage } from '../src/storage/memory.js'
import type { Storage } from '../src/storage/storage.js'
import type { Tensors } from '../src/tensors/index.js'
import { versionOneIndex } from '../test/checkpointer/support.js'
import { median, type BenchRow, type BenchSection } from './harness.js'

const COUNTS = [10, 1_000, 10_000, 100_000]
const RETENTION_COUNTS = [1_000, 10_000, 100_000]
/**
 * Passes over every count, interleaved, so that the machine's load swings hit all counts alike. Each pass times a
 * few saves per count: 25 at 10 (in rounds of 5 on a freshly seeded folder, to stay near 10), 16 from 1,000 on (on
 * one folder per count: the count grows by 3 + 16 × passes, 6% at 1,000).
 */
const PASSES = Number(process.env.BENCH_INDEX_PASSES ?? 4)
const SMALL = 100
const WARMUP = 3

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

/** One count's folder (memory storage seeded with a version-1 index of N entries) and what its saves cost. */
const series = (n: number, retention: { readonly keepPeriod?: number } = {}) => {
  const openMs: number[] = []
  const reopenMs: number[] = []
  const saveMs: number[] = []
  let bytes = 0
  let calls = 0
  let current: { base: Storage; ckpt: Awaited<ReturnType<typeof createCheckpointer>>; save: () => Promise<number> } | null = null
  const options = (storage: Storage) => ({
    storage,
    filepath: 'run/e{epoch}.safetensors',
    monitor: 'loss',
    immutableSnapshots: true,
    log: () => {},
    ...retention,
  })
  /** Seeds a folder, opens it (timed) and saves WARMUP times (the first converts the version-1 index). */
  const start = async () => {
    const base = memoryStorage()
    await base.write('ckpt-index.json', new TextEncoder().encode(versionOneIndex(n)))
    const { storage, totals } = counting(base)
    const t0 = process.hrtime.bigint()
    const ckpt = await createCheckpointer(options(storage))
    openMs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    let epoch = 2 * n + 1
    const save = async () => {
      const before = { ...totals }
      const t = process.hrtime.bigint()
      await ckpt.onEpochEnd({ epoch: epoch++, logs: { loss: 1 } }, tensors)
      const ms = Number(process.hrtime.bigint() - t) / 1e6
      bytes += totals.bytes - before.bytes
      calls += totals.calls - before.calls
      return ms
    }
    current = { base, ckpt, save }
    for (let i = 0; i < WARMUP; i++) await save()
  }
  /** Closes the folder and opens it again as this ckpt left it (in its own index layout), timed. */
  const finish = async () => {
    if (current === null) return
    await current.ckpt.close()
    const t1 = process.hrtime.bigint()
    const reopened = await createCheckpointer(options(current.base))
    reopenMs.push(Number(process.hrtime.bigint() - t1) / 1e6)
    await reopened.close()
    current = null
  }
  let measuredBytes = 0
  let measuredCalls = 0
  const timed = async (count: number) => {
    const b0 = bytes
    const c0 = calls
    for (let i = 0; i < count; i++) saveMs.push(await current!.save())
    measuredBytes += bytes - b0
    measuredCalls += calls - c0
  }
  return {
    /** One pass: at small counts, rounds of 5 saves on fresh folders; else 16 more saves on the same folder. */
    async pass(): Promise<void> {
      if (n < SMALL) {
        for (let round = 0; round < 5; round++) {
          await start()
          await timed(5)
          await finish()
        }
        return
      }
      if (current === null) await start()
      await timed(16)
    },
    async result(): Promise<AtCount> {
      await finish()
      return { n, openMs, reopenMs, saveMs, bytesPerSave: measuredBytes / saveMs.length, callsPerSave: measuredCalls / saveMs.length }
    },
  }
}

/**
 * Opening a folder of `n` checkpoints on fs (a real disk, the page cache warm): a version-1 index converted by one
 * save, then new Checkpointers opened one after the other; wall time and CPU time (user and system) of each.
 */
const openOnFs = async (n: number): Promise<{ readonly wallMs: number[]; readonly cpuMs: number[] }> => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-open-'))
  try {
    writeFileSync(join(dir, 'ckpt-index.json'), versionOneIndex(n))
    const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} }
    const writer = await createCheckpointer({ storage: fsStorage(dir), ...options })
    await writer.onEpochEnd({ epoch: 2 * n + 1, logs: { loss: 1 } }, tensors)
    await writer.close()
    const wallMs: number[] = []
    const cpuMs: number[] = []
    for (let i = 0; i < 5; i++) {
      const cpu = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      const reader = await createCheckpointer({ storage: fsStorage(dir), ...options })
      wallMs.push(Number(process.hrtime.bigint() - t0) / 1e6)
      const used = process.cpuUsage(cpu)
      cpuMs.push((used.user + used.system) / 1000)
      await reader.close()
    }
    return { wallMs, cpuMs }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

const section: BenchSection = {
  name: 'index-scale',
  async run(): Promise<BenchRow[]> {
    await series(COUNTS[0]!).pass() // warms the JIT up, so that the first count is not measured cold
    const plain = COUNTS.map((n) => series(n))
    const kept = RETENTION_COUNTS.map((n) => series(n, { keepPeriod: 2 }))
    for (let p = 0; p < PASSES; p++) for (const s of [...plain, ...kept]) await s.pass()
    const results: AtCount[] = []
    for (const s of plain) results.push(await s.result())
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
    const retained: AtCount[] = []
    for (const s of kept) retained.push(await s.result())
    const k0 = retained[0]!
    for (const r of retained)
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
    const onFs = await openOnFs(last.n)
    rows.push({
      name: `open a folder of ${last.n.toLocaleString('en-US')} checkpoints on fs (createCheckpointer: read and check the index and its segments)`,
      subject: `${median(onFs.wallMs).toFixed(0)} ms median of 5 (CPU ${median(onFs.cpuMs).toFixed(0)} ms); on memory storage ${median(last.reopenMs).toFixed(0)} ms, from a version-1 index ${median(last.openMs).toFixed(0)} ms`,
      baseline: `${first.n} checkpoints on memory storage: ${median(first.reopenMs).toFixed(1)} ms`,
      ratio: median(onFs.wallMs) / 1000,
      ratioMeaning: 'open time / 1 s',
      target: '<= 1',
      pass: median(onFs.wallMs) <= 1000,
    })
    return rows
  },
}
export default section
