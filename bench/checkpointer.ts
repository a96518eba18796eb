import { mkdtempSync, rmSync } from 'node:fs'
import { open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCheckpointer, type CheckpointerOptions } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import type { Tensors } from '../src/tensors/index.js'
import { floatTensors, median, timeRuns, type BenchRow, type BenchSection } from './harness.js'
import { startPythonPeer } from './python-peer.js'

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

/** A Checkpointer on fs under `dir/name` keeping one checkpoint: a new file per save, the previous one deleted after it. */
const keepingOne = (dir: string, name: string, extra: Partial<CheckpointerOptions<Tensors, Tensors>> = {}) =>
  createCheckpointer({
    storage: fsStorage(join(dir, name)),
    filepath: 'e{epoch}.safetensors',
    monitor: 'loss',
    maxToKeep: 1,
    immutableSnapshots: true,
    log: () => {},
    ...extra,
  })

/**
 * Saves before the measured ones, on both sides. This machine's virtual disk is several times slower on blocks
 * never written before, and a new folder's first two or three 256 MB files land on such blocks (a raw writer
 * pays the same on its first file); a training run that saves for days is past that after its first saves.
 */
const WARM_UP = 3

const spread = (xs: ReadonlyArray<number>): string => `runs ${[...xs].map((x) => x.toFixed(0)).join(', ')} ms`

/**
 * ckpt against Python's safetensors on the same 256 MB, interleaved run by run so that both see the same machine:
 * the save (block checksums, atomic commit and index write included) against `save_file` + fsync, each side writing
 * a new file per save and deleting the previous one untimed; then the verified restore of ckpt's latest checkpoint
 * against `load_file` of that same file (which checks nothing).
 */
const pythonRows = async (dir: string, tensors: Tensors, runs: number): Promise<BenchRow[]> => {
  const peer = await startPythonPeer('./safetensors_peer.py')
  const names = [
    'save 256 MB (16 x 16 MB float32) on fs: ckpt (SHA-256 blocks, atomic commit, index) vs Python safetensors.numpy.save_file + fsync',
    'verified restore of that 256 MB on fs: ckpt restore() vs Python safetensors.numpy.load_file of the same file (no verification)',
  ]
  if (typeof peer === 'string')
    return names.map((name) => ({
      name,
      subject: 'skipped',
      baseline: `skipped: ${peer} (pip install numpy safetensors)`,
      ratio: NaN,
      ratioMeaning: 'n/a',
    }))
  try {
    const ckpt = await keepingOne(dir, 'peer')
    const save: number[] = []
    const pySave: number[] = []
    const restore: number[] = []
    const pyLoad: number[] = []
    for (let i = 0; i < runs + WARM_UP; i++) {
      const py = await peer.time(`save ${join(dir, `py-${i}.safetensors`)}`)
      await rm(join(dir, `py-${i - 1}.safetensors`), { force: true })
      const [s] = await timeRuns(1, () => ckpt.onEpochEnd({ epoch: i, logs: { loss: 1 } }, tensors), 0)
      await ckpt.flush() // retention's deletion of the previous checkpoint, untimed
      const latest = (await ckpt.latest())!
      const pyL = await peer.time(`load ${join(dir, 'peer', latest.path)}`)
      const [r] = await timeRuns(1, () => ckpt.restore('latest'), 0)
      if (i < WARM_UP) continue
      pySave.push(py)
      save.push(s!)
      pyLoad.push(pyL)
      restore.push(r!)
    }
    await ckpt.close()
    const saveRatio = median(pySave) / median(save)
    const restoreRatio = median(pyLoad) / median(restore)
    return [
      {
        name: names[0]!,
        subject: `${median(save).toFixed(0)} ms median (${spread(save)})`,
        baseline: `save_file + fsync: ${median(pySave).toFixed(0)} ms median (${spread(pySave)})`,
        ratio: saveRatio,
        ratioMeaning: 'throughput, ckpt / Python',
        target: '>= 1.0',
        pass: saveRatio >= 1.0,
      },
      {
        name: names[1]!,
        subject: `${median(restore).toFixed(0)} ms median (${spread(restore)})`,
        baseline: `load_file: ${median(pyLoad).toFixed(0)} ms median (${spread(pyLoad)})`,
        ratio: restoreRatio,
        ratioMeaning: 'throughput, ckpt / Python',
        target: '>= 0.9',
        pass: restoreRatio >= 0.9,
      },
    ]
  } finally {
    peer.stop()
  }
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
      const sync = await keepingOne(dir, 'sync')
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
      for (let i = 0; i < runs + WARM_UP; i++) {
        const b = await rawWrite()
        const [s] = await timeRuns(1, syncSave, 0)
        // Retention deletes the previous 256 MB checkpoint after the commit, in the background; wait for it
        // here, outside both timings, so the baseline never shares the disk with it.
        const [c] = await timeRuns(1, () => sync.flush(), 0)
        if (i >= WARM_UP) {
          baselineMs.push(b)
          subjectMs.push(s!)
          cleanupMs.push(c!)
        }
      }
      const mbps = (ms: number) => `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s`
      const throughputRatio = median(baselineMs) / median(subjectMs)

      // Async: how long the caller is blocked per save, copy (default) and no-copy (immutableSnapshots).
      const blocked = async (immutableSnapshots: boolean) => {
        const ckpt = await keepingOne(dir, `async-${immutableSnapshots}`, { async: true, immutableSnapshots })
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
      const python = await pythonRows(dir, tensors, runs)
      return [
        ...python,
        {
          name: `save 256 MB (16 x 16 MB float32) through the Checkpointer on fs, SHA-256 included`,
          subject: `${median(subjectMs).toFixed(0)} ms median (${mbps(median(subjectMs))}; ${spread(subjectMs)})`,
          baseline: `fs.writeFile of a new file + fsync, same bytes: ${median(baselineMs).toFixed(0)} ms median (${mbps(median(baselineMs))}; ${spread(baselineMs)})`,
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
