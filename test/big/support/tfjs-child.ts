/**
 * `save WHERE ROWS [BACKEND]` or `restore WHERE [BACKEND]`, in a child of its own: a tfjs model holding one float32
 * embedding of ROWS × 4096 (ROWS = 163,840 makes 2.5 GiB) saved whole by modelCheckpoint, and restored by
 * restoreLatest, on BACKEND (`cpu` unless given). WHERE is a folder, or `s3:` and the JSON of s3Storage options.
 * Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { useBackend } from '../../../src/adapters/tfjs/backend.js'
import { modelCheckpoint, restoreLatest } from '../../../src/adapters/tfjs/index.js'
import { measure } from '../../hostile/support/peak.js'
import { storageAt } from './where.js'

const COLS = 4096
const value = (i: number): number => Math.fround((Math.imul(i, 0x9e3779b1) >>> 0) / 2 ** 32)
const [op, dir, ...rest] = process.argv.slice(2)
const rows = op === 'save' ? rest[0] : undefined
await useBackend(((op === 'save' ? rest[1] : rest[0]) ?? 'cpu') as 'cpu' | 'wasm')

const save = async (n: number) => {
  const model = tfl.sequential({
    layers: [tfl.layers.embedding({ inputDim: n, outputDim: COLS, inputLength: 1, embeddingsInitializer: 'zeros' })],
  })
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' })
  const data = new Float32Array(n * COLS)
  for (let i = 0; i < data.length; i++) data[i] = value(i)
  model.setWeights([tf.tensor2d(data, [n, COLS])])
  const m = await measure(async () => {
    const cb = modelCheckpoint({ storage: storageAt(dir!), filepath: 'm/model.json', log: () => {} })
    cb.setModel(model)
    await cb.onTrainBegin()
    await cb.onEpochBegin(0)
    await cb.onEpochEnd(0, { loss: 1 })
    await cb.onTrainEnd()
  })
  return { elapsedMs: m.elapsedMs, peakBytes: m.peakBytes, growthBytes: m.growthBytes }
}

const restore = async () => {
  const m = await measure(() => restoreLatest(storageAt(dir!)))
  const w = m.value!.model.getWeights()[0]!.dataSync() as Float32Array
  const wrong: string[] = []
  for (let k = 0; k < 100_000; k++) {
    const i = k === 0 ? 0 : k === 1 ? w.length - 1 : Math.floor(Math.random() * w.length)
    if (w[i] !== value(i) && wrong.length < 10) wrong.push(`[${i}] = ${w[i]}, expected ${value(i)}`)
  }
  return {
    elapsedMs: m.elapsedMs,
    peakBytes: m.peakBytes,
    growthBytes: m.growthBytes,
    elements: w.length,
    wrong,
    initialEpoch: m.value!.initialEpoch,
  }
}

process.stdout.write(`${JSON.stringify(op === 'save' ? await save(Number(rows)) : await restore())}\n`)
