import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/** tfjs twins of the architectures in test/keras/python/keras_server.py (same layers, same order). */
export type Arch = 'mlp' | 'cnn' | 'lstm' | 'gru' | 'functional'

const rnn = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const

export const buildTfjs = (arch: Arch): tfl.LayersModel => {
  switch (arch) {
    case 'mlp':
      return tfl.sequential({
        name: 'mlp',
        layers: [
          tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
          tfl.layers.dropout({ rate: 0.2 }),
          tfl.layers.dense({ units: 3, name: 'out' }),
        ],
      })
    case 'cnn':
      return tfl.sequential({
        name: 'cnn',
        layers: [
          tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
          tfl.layers.batchNormalization(),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 2 }),
        ],
      })
    case 'lstm':
      return tfl.sequential({
        name: 'lstm',
        layers: [
          tfl.layers.embedding({ inputDim: 12, outputDim: 4, inputShape: [5] }),
          tfl.layers.lstm({ units: 3, returnSequences: true, ...rnn }),
          tfl.layers.lstm({ units: 2, ...rnn }),
          tfl.layers.dense({ units: 1 }),
        ],
      })
    case 'gru':
      return tfl.sequential({
        name: 'gru',
        layers: [
          tfl.layers.gru({ units: 5, returnSequences: true, inputShape: [4, 3], ...rnn }),
          tfl.layers.gru({ units: 2, ...rnn }),
          tfl.layers.dense({ units: 2 }),
        ],
      })
    case 'functional': {
      const x = tfl.input({ shape: [3], name: 'x' })
      const h = tfl.layers.dense({ units: 4, activation: 'tanh' }).apply(x) as tfl.SymbolicTensor
      const o = tfl.layers.dense({ units: 2 }).apply(h) as tfl.SymbolicTensor
      return tfl.model({ inputs: x, outputs: o, name: 'functional' })
    }
  }
}

/** A deterministic stream of numbers in [0, 1) (LCG), so tests need no fixtures. */
export const lcg = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Fixed targets in [-1, 1) for the 'functional' model's two outputs: `batch` rows. */
export const functionalTargets = (batch: number): number[][] => {
  const r = lcg(9)
  return Array.from({ length: batch }, () => [r() * 2 - 1, r() * 2 - 1])
}

/** Fixed inputs for `arch`, as nested arrays (ints for the embedding model). */
export const inputsFor = (arch: Arch, batch = 3): number[][] | number[][][] | number[][][][] => {
  const r = lcg(42)
  const shape: Record<Arch, number[]> = { mlp: [4], cnn: [6, 6, 2], lstm: [5], gru: [4, 3], functional: [3] }
  const fill = (dims: number[]): unknown =>
    dims.length === 0
      ? arch === 'lstm'
        ? Math.floor(r() * 12)
        : r() * 2 - 1
      : Array.from({ length: dims[0] as number }, () => fill(dims.slice(1)))
  return fill([batch, ...shape[arch]]) as number[][]
}

/** Sets every weight to seeded values (variances positive), so predictions depend on every weight. */
export const randomizeWeights = (model: tfl.LayersModel, seed: number): void => {
  const r = lcg(seed)
  for (const w of model.weights) {
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1)
    const positive = w.originalName.endsWith('moving_variance')
    const data = new Float32Array(n).map(() => (positive ? 0.1 + 0.8 * r() : r() - 0.5))
    w.write(tf.tensor(data, w.shape as number[]))
  }
}

export const predict = (model: tfl.LayersModel, arch: Arch, inputs: unknown): number[][] =>
  tf.tidy(() => {
    const x = tf.tensor(inputs as number[][], undefined, arch === 'lstm' ? 'int32' : 'float32')
    return (model.predict(x) as tf.Tensor).arraySync() as number[][]
  })

/** The largest absolute difference between two equally shaped nested arrays. */
export const maxDiff = (a: unknown, b: unknown): number => {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity
    return a.reduce((m: number, x, i) => Math.max(m, maxDiff(x, b[i])), 0)
  }
  return Math.abs((a as number) - (b as number))
}

/** Sets every weight of `model` to fixed values (0.4·sin), so that runs start alike. */
export const fixWeights = (model: tfl.LayersModel): void => {
  const fixed = model.getWeights().map((w, i) =>
    tf.tensor(
      Float32Array.from({ length: w.size }, (_, k) => 0.4 * Math.sin(k + i)),
      w.shape,
    ),
  )
  model.setWeights(fixed)
  tf.dispose(fixed)
}

/** Dense 4→8 relu→3 named `det`, compiled with `optimizer` and MSE, fixed weights: no Dropout, so runs compare. */
export const deterministicModel = (optimizer: tf.Optimizer): tfl.LayersModel => {
  const model = tfl.sequential({
    name: 'det',
    layers: [
      tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  })
  model.compile({ optimizer, loss: 'meanSquaredError' })
  fixWeights(model)
  return model
}
