import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCheckpointer } from '../src/checkpointer/index.js'
import { fsStorage } from '../src/storage/fs.js'
import type { Tensors } from '../src/tensors/index.js'
import { floatTensors, median, type BenchRow, type BenchSection } from './harness.js'

const MB = 1024 * 1024
const TENSORS = 16
const EACH = 64 * MB

const makeTensors = (): Tensors => floatTensors(TENSORS, EACH, (i) => `layers.${i}.weight`)

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6

/**
 * Sharding's own cost: the same 1 GiB saved and restored through the Checkpointer as one file and as four Hugging
 * Face shards (maxShardSize "270MB": four 64 MiB tensors a shard), interleaved so that both see the same disk.
 */
const section: BenchSection = {
  name: 'sharded safetensors',
  async run(): Promise<BenchRow[]> {
    const runs = Number(process.env.BENCH_RUNS ?? 3)
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-sharded-'))
    try {
      const tensors = makeTensors()
      const open = (name: string, maxShardSize?: string) =>
        createCheckpointer({
          storage: fsStorage(join(dir, name)),
          filepath: 'e{epoch}/model.safetensors',
          monitor: 'loss',
          maxToKeep: 1,
          immutableSnapshots: true,
          log: () => {},
          ...(maxShardSize === undefined ? {} : { maxShardSize }),
        })
      const one = await open('one')
      const four = await open('four', '270MB')
      const times = { oneSave: [] as number[], fourSave: [] as number[], oneRestore: [] as number[], fourRestore: [] as number[] }
      for (let i = 0; i < runs + 1; i++) {
        for (const [ckpt, save, restore] of [
          [one, times.oneSave, times.oneRestore],
          [four, times.fourSave, times.fourRestore],
        ] as const) {
          let t0 = process.hrtime.bigint()
          await ckpt.onEpochEnd({ epoch: i, logs: { loss: 1 } }, tensors)
          const s = ms(t0)
          await ckpt.flush() // retention's deletion of the previous checkpoint, outside the timings
          t0 = process.hrtime.bigint()
          const restored = await ckpt.restore()
          const r = ms(t0)
          if (Object.keys(restored.value).length !== TENSORS) throw new Error('restore lost tensors')
          if (i > 0) {
            save.push(s)
            restore.push(r)
          }
        }
      }
      const shards = (await four.list())[0]!.files.length - 1
      await one.close()
      await four.close()
      const rate = (t: number) => `${(TENSORS * EACH) / MB / (t / 1000) >= 1 ? ((TENSORS * EACH) / MB / (t / 1000)).toFixed(0) : '<1'} MB/s`
      const row = (what: string, sharded: number[], single: number[]): BenchRow => ({
        name: `${what} 1 GiB (16 x 64 MiB float32) through the Checkpointer on fs: ${shards} shards vs one file`,
        subject: `${shards} shards + index: ${median(sharded).toFixed(0)} ms median (${rate(median(sharded))})`,
        baseline: `one file: ${median(single).toFixed(0)} ms median (${rate(median(single))})`,
        ratio: median(single) / median(sharded),
        ratioMeaning: 'throughput, sharded / one file',
      })
      return [
        row('save (SHA-256 and the atomic commit included)', times.fourSave, times.oneSave),
        row('verified restore', times.fourRestore, times.oneRestore),
      ]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
export default section
