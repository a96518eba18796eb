import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { useBackend, type BackendName } from '../src/adapters/tfjs/backend.js'
import { modelCheckpoint, type ModelCheckpoint } from '../src/adapters/tfjs/callback.js'
import { fsStorage } from '../src/storage/fs.js'
import { median, type BenchRow, type BenchSection } from './harness.js'

const MB = 1024 * 1024
const INPUTS = 2048
const HIDDEN = 4096
const OUTPUTS = 16
/**
 * Batches of 1, a checkpoint at each epoch end; the background save moves forward at batch ends. An epoch lasts
 * ~2 s on cpu (32 batches) and ~1 s on wasm (64 batches): long enough for the previous save to finish, as it must
 * for `async` to pay off (at most one save is in flight; a checkpoint due earlier waits for it).
 */
const SAMPLES: Record<BackendName, number> = { cpu: 32, wasm: 64 }

/**
 * 2048 → 4096 → 2048 frozen dense layers and a trainable 2048 → 16 head: 16.8 M float32 parameters, 64 MiB of
 * weights, all of which every checkpoint holds. The big layers are frozen so that a batch costs a forward pass
 * (~0.1 s on cpu) instead of a 64 MB update (~3 s on cpu): checkpoint costs depend on the bytes, not on training.
 */
const bigModel = (): tfl.Sequential => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'frozen1', units: HIDDEN, inputShape: [INPUTS], trainable: false }),
      tfl.layers.dense({ name: 'frozen2', units: INPUTS, trainable: false }),
      tfl.layers.dense({ name: 'head', units: OUTPUTS }),
    ],
  })
  model.compile({ optimizer: tf.train.sgd(1e-4), loss: 'meanSquaredError' })
  return model
}

/** The model's weight bytes: three kernels and three biases. */
const WEIGHT_BYTES = (INPUTS * HIDDEN + HIDDEN + HIDDEN * INPUTS + INPUTS + INPUTS * OUTPUTS + OUTPUTS) * 4

/**
 * Fits `epochs` epochs with a checkpoint at each epoch end and returns, per saving epoch after the first, how
 * long `fit` waited in the callback's onEpochEnd (the blocked time), and the whole fit's wall time.
 */
const blockedPerCheckpoint = async (
  dir: string,
  data: { x: tf.Tensor; y: tf.Tensor },
  epochs: number,
  async: boolean,
  batchSize: number,
): Promise<{ blocked: number[]; inHooks: number[]; copies: number[]; fitMs: number }> => {
  const model = bigModel()
  const cb: ModelCheckpoint = modelCheckpoint({
    storage: fsStorage(dir),
    filepath: 'e{epoch}/model.json',
    monitor: 'loss',
    maxToKeep: 1,
    async,
    log: () => {},
  })
  const timed = cb.onEpochEnd.bind(cb)
  const timedBatch = cb.onBatchEnd.bind(cb)
  const blocked: number[] = []
  const inHooks: number[] = []
  let hookMs = 0
  cb.onBatchEnd = async (batch, logs) => {
    const t0 = process.hrtime.bigint()
    await timedBatch(batch, logs)
    hookMs += Number(process.hrtime.bigint() - t0) / 1e6
  }
  const copies: number[] = []
  const scratch = new Uint8Array(WEIGHT_BYTES)
  cb.onEpochEnd = async (epoch, logs) => {
    // The baseline, measured at the same moment: a plain memcpy of the same bytes into a warm buffer.
    if (epoch > 0) copies.push(copyWeightsMs(model, scratch))
    const t0 = process.hrtime.bigint()
    await timed(epoch, logs)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    // Per checkpoint: the save call itself, and every hook since the previous save (batch-end draining included).
    if (epoch > 0) {
      blocked.push(ms)
      inHooks.push(hookMs + ms)
    }
    hookMs = 0
  }
  const t0 = process.hrtime.bigint()
  await model.fit(data.x, data.y, { epochs, batchSize, shuffle: false, verbose: 0, callbacks: [cb] })
  const fitMs = Number(process.hrtime.bigint() - t0) / 1e6
  model.dispose()
  return { blocked, inHooks, copies, fitMs }
}

const fitWithout = async (data: { x: tf.Tensor; y: tf.Tensor }, epochs: number, batchSize: number): Promise<number> => {
  const model = bigModel()
  const t0 = process.hrtime.bigint()
  await model.fit(data.x, data.y, { epochs, batchSize, shuffle: false, verbose: 0 })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  model.dispose()
  return ms
}

/**
 * A plain memcpy of the model's weight bytes into a warm buffer: out of the wasm heap on wasm (exactly the bytes
 * a checkpoint copies), `dataSync` views elsewhere. In ms.
 */
const copyWeightsMs = (model: tfl.LayersModel, dst: Uint8Array): number => {
  const heap =
    tf.getBackend() === 'wasm'
      ? (tf.backend() as unknown as { dataIdMap: Map<object, { memoryOffset: number }>; wasm: { HEAPU8: Uint8Array } })
      : null
  const sources = model.weights.map((v) => {
    const t = v.read()
    if (heap === null) {
      const d = t.dataSync()
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
    }
    const at = heap.dataIdMap.get(t.dataId)!.memoryOffset
    return heap.wasm.HEAPU8.subarray(at, at + t.size * 4)
  })
  const t0 = process.hrtime.bigint()
  let at = 0
  for (const s of sources) {
    dst.set(s, at)
    at += s.byteLength
  }
  return Number(process.hrtime.bigint() - t0) / 1e6
}

const onBackend = async (backend: BackendName, runs: number, dir: string) => {
  await useBackend(backend)
  const data = {
    x: tf.randomNormal([SAMPLES[backend], INPUTS], 0, 1, 'float32', 1),
    y: tf.randomNormal([SAMPLES[backend], OUTPUTS], 0, 1, 'float32', 2),
  }
  const epochs = runs + 1
  const batch = 1
  const sync = await blockedPerCheckpoint(join(dir, `${backend}-sync`), data, epochs, false, batch)
  const background = await blockedPerCheckpoint(join(dir, `${backend}-async`), data, epochs, true, batch)
  const plain = await fitWithout(data, epochs, batch)
  tf.dispose([data.x, data.y])
  return { sync, background, plain, epochs }
}

const section: BenchSection = {
  name: 'tfjs',
  async run(): Promise<BenchRow[]> {
    const runs = Number(process.env.BENCH_RUNS ?? 5)
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-tfjs-'))
    try {
      const size = `${(WEIGHT_BYTES / MB).toFixed(0)} MiB`
      const cpu = await onBackend('cpu', runs, dir)
      const wasm = await onBackend('wasm', runs, dir)
      const memcpy = median(wasm.background.copies)
      const m = (xs: number[]) => median(xs)
      const overhead = (r: Awaited<ReturnType<typeof onBackend>>) => (r.background.fitMs - r.plain) / r.epochs
      const cpuRatio = m(cpu.background.blocked) / m(cpu.sync.blocked)
      const wasmRatio = m(wasm.background.blocked) / memcpy
      return [
        {
          name: `tfjs cpu: fit blocked per checkpoint, ${size} model (model.json), async: true, a checkpoint every ${SAMPLES.cpu} batches`,
          subject: `${m(cpu.background.blocked).toFixed(2)} ms median (snapshot by reshape, no copy)`,
          baseline: `synchronous save (async: false), fs with fsync: ${m(cpu.sync.blocked).toFixed(0)} ms median`,
          ratio: cpuRatio,
          ratioMeaning: 'blocked / synchronous save',
          target: '<= 0.05',
          pass: cpuRatio <= 0.05,
        },
        {
          name: `tfjs wasm: fit blocked per checkpoint, ${size} model (model.json), async: true, a checkpoint every ${SAMPLES.wasm} batches`,
          subject: `${m(wasm.background.blocked).toFixed(1)} ms median (pooled copy out of the wasm heap)`,
          baseline: `plain memcpy of the same bytes out of the wasm heap into a warm buffer (TypedArray.set), timed just before each checkpoint: ${memcpy.toFixed(1)} ms median`,
          ratio: wasmRatio,
          ratioMeaning: 'blocked / memcpy',
          target: '<= 1.2',
          pass: wasmRatio <= 1.2,
        },
        {
          name: `tfjs: time fit spends in the ckpt callback per checkpoint, all hooks (batch-end draining of the background save included)`,
          subject: `async: true: cpu ${m(cpu.background.inHooks).toFixed(0)} ms, wasm ${m(wasm.background.inHooks).toFixed(0)} ms median`,
          baseline: `async: false: cpu ${m(cpu.sync.inHooks).toFixed(0)} ms, wasm ${m(wasm.sync.inHooks).toFixed(0)} ms median`,
          ratio: m(cpu.background.inHooks) / m(cpu.sync.inHooks),
          ratioMeaning: 'cpu, async / sync (informational: the JS-thread work of a save, e.g. SHA-256, cannot leave the thread)',
        },
        {
          name: `tfjs wasm: synchronous save for comparison`,
          subject: `async: true blocked ${m(wasm.background.blocked).toFixed(1)} ms median`,
          baseline: `async: false blocked ${m(wasm.sync.blocked).toFixed(0)} ms median`,
          ratio: m(wasm.background.blocked) / m(wasm.sync.blocked),
          ratioMeaning: 'blocked / synchronous save',
        },
        {
          name: `tfjs: whole-fit cost per checkpoint with async: true (the background write, hashing included, shares the JS thread)`,
          subject: `cpu ${overhead(cpu).toFixed(0)} ms, wasm ${overhead(wasm).toFixed(0)} ms per epoch over a fit without checkpoints`,
          baseline: `fit without checkpoints: cpu ${(cpu.plain / cpu.epochs).toFixed(0)} ms, wasm ${(wasm.plain / wasm.epochs).toFixed(0)} ms per epoch`,
          ratio: cpu.background.fitMs / cpu.plain,
          ratioMeaning: 'cpu fit time with / without checkpoints (informational)',
        },
      ]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
export default section
