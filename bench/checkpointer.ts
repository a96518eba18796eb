import { mkdtempSync, rmSync } from 'node:fs'
import { open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import type { Tensors } from '../src/tensors/index.js'
import { floatTensors, median, timeRuns, type BenchRow, type BenchSection } from './harness.js'

const MB = 1024 * 1024
const TENSORS = 16
const EACH = 16 * MB

const makeTensors = (): Tensors => floatTensors(TENSORS, EACH, (i) => `layer_${String(i).padStart(2, '0')}/kernel`)

const writeAndSync = async (path: string, chunks: ReadonlyArray<Uint8Array>) => {
  await writeFile(path, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
  const h = await open(path, 'r+')
  await h.sync()
  await h.close()
}

const section: BenchSection = {
  name: 'checkpointer',
  async run(): Promise<BenchRow[]> {
    const runs = Number(process.env.BENCH_RUNS ?? 5)
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-'))
    try {
      const tensors = makeTensors()
      const bytes = TENSORS * EACH
      // The raw baseline writes the same bytes as one buffer (no header, no checksum, no index).
      const raw = Buffer.concat(Object.values(tensors).map((t) => new Uint8Array(t.data.buffer)))
      let epoch = 0
      const sync = await createCheckpointer({
        storage: fsStorage(join(dir, 'sync')),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        maxToKeep: 1,
        immutableSnapshots: true,
        log: () => {},
      })
      const syncSave = async () => void (await sync.onEpochEnd({ epoch: epoch++, logs: { loss: 1 } }, tensors))
      // A hand-written checkpoint loop writes each save to a new file (epoch_3.bin, epoch_4.bin, …) and deletes the
      // previous one after it, outside the timing: the same disk footprint as ckpt with maxToKeep: 1, whose
      // retention also deletes after the save. (Rewriting one file in place reuses its blocks and is faster on this
      // machine's disk, but a save that must never destroy the previous checkpoint cannot do that.)
      let rawIndex = 0
      const rawWrite = async () => {
        rawIndex++
        const t0 = process.hrtime.bigint()
        await writeAndSync(join(dir, `raw-${rawIndex}.bin`), [raw])
        const ms = Number(process.hrtime.bigint() - t0) / 1e6
        await rm(join(dir, `raw-${rawIndex - 1}.bin`), { force: true })
        return ms
      }
      // Interleave subject and baseline so both see the same machine state.
      const subjectMs: number[] = []
      const baselineMs: number[] = []
      const cleanupMs: number[] = []
      for (let i = 0; i < runs + 1; i++) {
        const b = await rawWrite()
        const [s] = await timeRuns(1, syncSave, 0)
        // Retention deletes the previous 256 MB checkpoint after the commit, in the background; wait for it
        // here, outside both timings, so the baseline never shares the disk with it.
        const [c] = await timeRuns(1, () => sync.flush(), 0)
        if (i > 0) {
          baselineMs.push(b)
          subjectMs.push(s!)
          cleanupMs.push(c!)
        }
      }
      const mbps = (ms: number) => `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s`
      const throughputRatio = median(baselineMs) / median(subjectMs)

      // Async: how long the caller is blocked per save, copy (default) and no-copy (immutableSnapshots).
      const blocked = async (immutableSnapshots: boolean) => {
        const ckpt = await createCheckpointer({
          storage: fsStorage(join(dir, `async-${immutableSnapshots}`)),
          filepath: 'e{epoch}.safetensors',
          monitor: 'loss',
          maxToKeep: 1,
          async: true,
          immutableSnapshots,
          log: () => {},
        })
        const times: number[] = []
        for (let i = 0; i < runs + 1; i++) {
          await ckpt.flush()
          const t0 = process.hrtime.bigint()
          await ckpt.onEpochEnd({ epoch: i, logs: { loss: 1 } }, tensors)
          if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6)
        }
        await ckpt.close()
        return times
      }
      const copyBlocked = await blocked(false)
      const noCopyBlocked = await blocked(true)
      const memcpy = await timeRuns(runs, () => {
        for (const t of Object.values(tensors)) t.data.slice()
      })
      return [
        {
          name: `save 256 MB (16 x 16 MB float32) through the Checkpointer on fs, SHA-256 included`,
          subject: `${median(subjectMs).toFixed(0)} ms median (${mbps(median(subjectMs))})`,
          baseline: `fs.writeFile of a new file + fsync, same bytes: ${median(baselineMs).toFixed(0)} ms median (${mbps(median(baselineMs))})`,
          ratio: throughputRatio,
          ratioMeaning: 'throughput, ckpt / raw',
          target: '>= 0.85',
          pass: throughputRatio >= 0.85,
        },
        {
          name: 'retention after each save: deleting the previous 256 MB checkpoint (maxToKeep: 1), in the background',
          subject: `${median(cleanupMs).toFixed(0)} ms median until flush() returns, after the save returned`,
          baseline: `the synchronous save itself: ${median(subjectMs).toFixed(0)} ms median`,
          ratio: median(cleanupMs) / median(subjectMs),
          ratioMeaning: 'cleanup / save (informational: the caller does not wait for it; the next save does)',
        },
        {
          name: 'async save, caller blocked per save (default: the snapshot is copied before returning)',
          subject: `${median(copyBlocked).toFixed(1)} ms median`,
          baseline: `plain memcpy (TypedArray.slice) of the same 256 MB: ${median(memcpy).toFixed(1)} ms median`,
          ratio: median(copyBlocked) / median(memcpy),
          ratioMeaning: 'blocked / memcpy',
          target: '<= 1.2',
          pass: median(copyBlocked) / median(memcpy) <= 1.2,
        },
        {
          name: 'async save with immutableSnapshots: true, caller blocked per save',
          subject: `${median(noCopyBlocked).toFixed(2)} ms median`,
          baseline: `synchronous save: ${median(subjectMs).toFixed(0)} ms median`,
          ratio: median(noCopyBlocked) / median(subjectMs),
          ratioMeaning: 'blocked / synchronous save',
          target: '<= 0.05',
          pass: median(noCopyBlocked) / median(subjectMs) <= 0.05,
        },
      ]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
export default section
