import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { lcg } from './archs.js'

/** tfjs twins of the Functional architectures in test/keras/python/keras_server.py (same layers, same graph). */
export type FunctionalArch = 'functional' | 'branches' | 'mixed'

const rnn = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const
const call = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor =>
  layer.apply(x) as tfl.SymbolicTensor

export const buildFunctional = (arch: FunctionalArch): tfl.LayersModel => {
  switch (arch) {
    case 'functional': {
      const x = tfl.input({ shape: [3], name: 'x' })
      const h = call(tfl.layers.dense({ units: 4, activation: 'tanh' }), x)
      return tfl.model({ inputs: x, outputs: call(tfl.layers.dense({ units: 2 }), h), name: 'functional' })
    }
    case 'branches': {
      const a = tfl.input({ shape: [3], name: 'a' })
      const b = tfl.input({ shape: [2], name: 'b' })
      const ha = call(tfl.layers.dense({ units: 4, activation: 'tanh', name: 'ha' }), a)
      const hb = call(tfl.layers.dense({ units: 4, name: 'hb' }), b)
      const cat = call(tfl.layers.concatenate({ name: 'cat' }), [ha, hb])
      const add = call(tfl.layers.add({ name: 'add' }), [ha, hb])
      const o1 = call(tfl.layers.dense({ units: 2, name: 'o1' }), cat)
      const o2 = call(tfl.layers.dense({ units: 1, name: 'o2' }), add)
      return tfl.model({ inputs: [a, b], outputs: [o1, o2], name: 'branches' })
    }
    case 'mixed': {
      const tokens = tfl.input({ shape: [5], dtype: 'int32', name: 'tokens' })
      const feats = tfl.input({ shape: [6, 6, 2], name: 'feats' })
      let s = call(tfl.layers.embedding({ inputDim: 12, outputDim: 4 }), tokens)
      s = call(tfl.layers.lstm({ units: 3, returnSequences: true, ...rnn }), s)
      s = call(tfl.layers.gru({ units: 2, ...rnn }), s)
      let c = call(tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), feats)
      c = call(tfl.layers.batchNormalization(), c)
      c = call(tfl.layers.flatten(), c)
      c = call(tfl.layers.dense({ units: 3 }), c)
      c = call(tfl.layers.dropout({ rate: 0.2 }), c)
      const x = call(tfl.layers.concatenate(), [s, c])
      return tfl.model({ inputs: [tokens, feats], outputs: call(tfl.layers.dense({ units: 2 }), x), name: 'mixed' })
    }
  }
}

export interface InputSpec {
  readonly data: unknown
  readonly dtype: 'float32' | 'int32'
}

/** Fixed inputs (batch of 3) for each model input, in order, as the Python server takes them. */
export const functionalInputs = (arch: FunctionalArch): ReadonlyArray<InputSpec> => {
  const r = lcg(42)
  const fill = (dims: ReadonlyArray<number>, int: boolean): unknown =>
    dims.length === 0
      ? int
        ? Math.floor(r() * 12)
        : r() * 2 - 1
      : Array.from({ length: dims[0] as number }, () => fill(dims.slice(1), int))
  const f = (shape: number[]): InputSpec => ({ data: fill([3, ...shape], false), dtype: 'float32' })
  switch (arch) {
    case 'functional':
      return [f([3])]
    case 'branches':
      return [f([3]), f([2])]
    case 'mixed':
      return [{ data: fill([3, 5], true), dtype: 'int32' }, f([6, 6, 2])]
  }
}

/** Every output of the model on `inputs`, as nested arrays (a list even for one output). */
export const predictAll = (model: tfl.LayersModel, inputs: ReadonlyArray<InputSpec>): unknown[] =>
  tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.data as number[], undefined, i.dtype))
    const ys = model.predict(xs.length === 1 ? (xs[0] as tf.Tensor) : xs)
    return (Array.isArray(ys) ? ys : [ys]).map((y) => y.arraySync())
  })
