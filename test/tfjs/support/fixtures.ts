import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { BackendName } from '../../../src/adapters/tfjs/backend.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { memoryStorage } from '../../../src/storage/memory.js'
import type { Storage } from '../../../src/storage/storage.js'

export const BACKENDS: ReadonlyArray<BackendName> = ['cpu', 'wasm']

/** A storage for one test, and how to clean it up. `dir` is the fs root (null for memory). */
export interface TestStorage {
  readonly storage: Storage
  readonly dir: string | null
  readonly cleanup: () => Promise<void>
}

/** An fs storage in a fresh temp folder. */
export const fsTestStorage = async (): Promise<TestStorage> => {
  const dir = await mkdtemp(join(tmpdir(), 'ckpt-tfjs-'))
  return { storage: fsStorage(dir, { fsync: false }), dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export const STORAGES: ReadonlyArray<{ readonly kind: 'memory' | 'fs'; readonly make: () => Promise<TestStorage> }> = [
  { kind: 'memory', make: async () => ({ storage: memoryStorage(), dir: null, cleanup: async () => {} }) },
  { kind: 'fs', make: fsTestStorage },
]

/** A tiny two-layer Dense model with fixed layer names, compiled with `optimizer`. */
export const tinyModel = (optimizer?: tf.Optimizer, inputs = 4): tfl.Sequential => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'hidden', units: 6, activation: 'relu', inputShape: [inputs] }),
      tfl.layers.dense({ name: 'out', units: 1 }),
    ],
  })
  if (optimizer) model.compile({ optimizer, loss: 'meanSquaredError' })
  return model
}

/** A fixed synthetic regression data set (no randomness). */
export const dataset = (n = 24, inputs = 4): { x: tf.Tensor2D; y: tf.Tensor2D } => {
  const xs: number[] = []
  const ys: number[] = []
  for (let i = 0; i < n; i++) {
    let target = 0
    for (let j = 0; j < inputs; j++) {
      const v = Math.sin(i * 0.7 + j * 1.3)
      xs.push(v)
      target += (j + 1) * v
    }
    ys.push(Math.cos(target))
  }
  return { x: tf.tensor2d(xs, [n, inputs]), y: tf.tensor2d(ys, [n, 1]) }
}

/** The raw bytes of each weight of a model, by original name. */
export const weightBytes = (model: tfl.LayersModel): Record<string, Uint8Array> =>
  Object.fromEntries(model.weights.map((v) => [v.originalName, bytesOf(v.read())]))

export const bytesOf = (t: tf.Tensor): Uint8Array => {
  const d = t.dataSync<'float32' | 'int32' | 'bool'>()
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength))
}

/** The optimizer's weights as raw bytes, by name, in `getWeights()` order. Disposes what it creates. */
export const optimizerBytes = async (optimizer: tf.Optimizer): Promise<Array<[string, Uint8Array]>> => {
  const ws = await optimizer.getWeights()
  const out = ws.map((w): [string, Uint8Array] => [w.name, bytesOf(w.tensor)])
  for (const w of ws) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose()
  return out
}

/**
 * Two Dense layers of `width` × `width` (named `a` and `b`) trained with Adam for `epochs` on fixed random data,
 * with `callbacks`: checkpoints of 3 × 2 × width² float32 (weights and both moments) and biases.
 */
export const fitWideModel = async (width: number, epochs: number, callbacks: ReadonlyArray<tfl.CustomCallback | tfl.Callback>) => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'a', units: width, inputShape: [width], activation: 'relu' }),
      tfl.layers.dense({ name: 'b', units: width }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  const x = tf.randomNormal([8, width], 0, 1, 'float32', 1)
  const y = tf.randomNormal([8, width], 0, 1, 'float32', 2)
  await model.fit(x, y, { epochs, batchSize: 8, verbose: 0, callbacks: [...callbacks] })
  tf.dispose([x, y])
  return model
}

/** The names whose bytes differ between two named lists (compared as Buffers: a deep equality of large arrays takes the heap). */
export const differingBytes = (a: ReadonlyArray<[string, Uint8Array]>, b: ReadonlyArray<[string, Uint8Array]>): string[] =>
  a.length !== b.length
    ? ['(count)']
    : a.flatMap(([name, bytes], i) => (name === b[i]![0] && Buffer.from(bytes).equals(Buffer.from(b[i]![1])) ? [] : [name]))
