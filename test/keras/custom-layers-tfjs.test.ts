import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { describe, expect, it } from 'vitest'
import '../../src/adapters/tfjs/keras/custom/register.js'
import { KerasOp } from '../../src/adapters/tfjs/keras/custom/keras-op.js'
import { MultiHeadAttention } from '../../src/adapters/tfjs/keras/custom/multi-head-attention.js'
import { Normalization } from '../../src/adapters/tfjs/keras/custom/normalization.js'

/*
 * ckpt's tfjs classes for what tfjs 4.22 lacks are tfjs layers like its own once the Keras code has registered
 * them: a model using them trains, and its model.json (toJSON) builds the same model back. Their numbers against
 * Keras are checked by the model-set suite (model-set-interop.test.ts).
 */

const registered = (name: string): new (args: Record<string, unknown>) => tfl.layers.Layer =>
  tf.serialization.SerializationMap.getMap().classNameMap[name]?.[0] as unknown as new (args: Record<string, unknown>) => tfl.layers.Layer

const build = (): tfl.LayersModel => {
  const x = tfl.input({ shape: [5, 4] })
  const n = new Normalization({ axis: -1 }).apply(x) as tfl.SymbolicTensor
  const shifted = new KerasOp({ op: 'add', constants: [null, 3] }).apply(n) as tfl.SymbolicTensor
  const a = new MultiHeadAttention({ numHeads: 2, keyDim: 3 }).apply([shifted, n]) as tfl.SymbolicTensor
  const GRU = registered('GRU')
  const g = new GRU({
    units: 4,
    resetAfter: true,
    recurrentActivation: 'sigmoid',
    recurrentInitializer: 'glorotUniform',
    returnSequences: true,
  }).apply(a) as tfl.SymbolicTensor
  const h = tfl.layers.activation({ activation: 'hardSilu' as never }).apply(g) as tfl.SymbolicTensor
  const Pool = registered('GlobalAveragePooling1D')
  const p = new Pool({ keepdims: true }).apply(h) as tfl.SymbolicTensor
  const out = tfl.layers
    .dense({ units: 2, activation: 'kerasHardSigmoid' as never })
    .apply(tfl.layers.flatten().apply(p)) as tfl.SymbolicTensor
  return tfl.model({ inputs: x, outputs: out })
}

describe("ckpt's tfjs layers for what tfjs lacks", () => {
  it('train, and their model.json builds the same model back', async () => {
    const model = build()
    expect(model.outputs[0]?.shape).toEqual([null, 2])
    const gru = model.layers.find((l) => l.getClassName() === 'GRU') as tfl.layers.Layer
    expect(gru.weights.map((w) => w.shape)).toEqual([
      [4, 12],
      [4, 12],
      [2, 12],
    ])
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })
    const xs = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1)
    const before = model.trainableWeights.map((w) => w.read().dataSync().slice())
    await model.fit(xs, tf.ones([3, 2]), { epochs: 1, verbose: 0 })
    // every trainable weight moves (each layer's gradient reaches it)
    model.trainableWeights.forEach((w, i) => expect([w.name, w.read().dataSync()]).not.toEqual([w.name, before[i]]))

    const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as tf.io.ModelJSON['modelTopology']
    const copy = await tfl.models.modelFromJSON({ modelTopology: json })
    copy.setWeights(model.getWeights())
    const want = (model.predict(xs) as tf.Tensor).arraySync()
    expect((copy.predict(xs) as tf.Tensor).arraySync()).toEqual(want)
    expect(copy.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()))
  })
})
