/**
 * `save WHERE ROWS [BACKEND] [LAYERS]` or `restore WHERE [BACKEND]`, in a child of its own: a tfjs model holding
 * LAYERS (default 1) float32 embeddings of ROWS × 4096 each (one of 163,840 rows makes 2.5 GiB) saved whole by
 * modelCheckpoint, and restored by restoreLatest, on BACKEND (`cpu` unless given). WHERE is a folder, or `s3:` and the
 * JSON of s3Storage options. Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { useBackend } from '../../../src/adapters/tfjs/backend.js'
import { modelCheckpoint, restoreLatest } from '../../../src/adapters/tfjs/index.js'
import { measure } from '../../hostile/support/peak.js'
import { storageAt } from './where.js'

const COLS = 4096
/** The value at flat index `i` of embedding `layer`: every layer's bytes differ, so a mixed-up layer shows. */
const value = (layer: number, i: number): number => Math.fround((Math.imul(i + layer * 0x3c6ef372, 0x9e3779b1) >>> 0) / 2 ** 32)
const [op, dir, ...rest] = process.argv.slice(2)
const rows = op === 'save' ? rest[0] : undefined
await useBackend(((op === 'save' ? rest[1] : rest[0]) ?? 'cpu') as 'cpu' | 'wasm')

const save = async (n: number, layers: number) => {
  // Parallel embeddings of one input, concatenated: LAYERS weights of n × 4096 (a sequential stack would need
  // each embedding's output to be the next one's input).
  const input = tfl.input({ shape: [1] })
  const outputs = Array.from(
    { length: layers },
    (_, l) =>
      tfl.layers
        .embedding({ name: `e${l}`, inputDim: n, outputDim: COLS, embeddingsInitializer: 'zeros' })
        .apply(input) as tfl.SymbolicTensor,
  )
  const model = tfl.model({
    inputs: input,
    outputs: layers === 1 ? outputs[0]! : (tfl.layers.concatenate().apply(outputs) as tfl.SymbolicTensor),
  })
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' })
  model.setWeights(
    Array.from({ length: layers }, (_, l) => {
      const data = new Float32Array(n * COLS)
      for (let i = 0; i < data.length; i++) data[i] = value(l, i)
      return tf.tensor2d(data, [n, COLS])
    }),
  )
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
  const weights = m.value!.model.getWeights()
  const wrong: string[] = []
  let elements = 0
  weights.forEach((t, l) => {
    const w = t.dataSync() as Float32Array
    elements += w.length
    for (let k = 0; k < 100_000; k++) {
      const i = k === 0 ? 0 : k === 1 ? w.length - 1 : Math.floor(Math.random() * w.length)
      if (w[i] !== value(l, i) && wrong.length < 10) wrong.push(`e${l}[${i}] = ${w[i]}, expected ${value(l, i)}`)
    }
  })
  return {
    elapsedMs: m.elapsedMs,
    peakBytes: m.peakBytes,
    growthBytes: m.growthBytes,
    elements,
    wrong,
    initialEpoch: m.value!.initialEpoch,
  }
}

process.stdout.write(`${JSON.stringify(op === 'save' ? await save(Number(rows), Number(rest[2] ?? 1)) : await restore())}\n`)
