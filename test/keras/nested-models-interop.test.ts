import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { join } from 'node:path'
import { decodeKerasModel, encodeKerasModel, loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { kerasWeightsFile } from '../../src/adapters/tfjs/keras/weights.js'
import { randomizeWeights } from './support/archs.js'
import { predictAll, type InputSpec } from './support/functional-archs.js'
import { kerasTensorRef, layerNamed, loadEdited } from './support/keras-config-edit.js'
import { roundTripTests, tfjsModelInKeras, within } from './support/model-set-roundtrip.js'
import { kerasUnavailable } from './support/python.js'

/*
 * Models used as layers (a Sequential in a Functional model, a Functional one in a Sequential, two levels deep, a
 * nested model called after layers defined later) both ways against Python Keras 3, with the weights file laid out
 * as Keras lays it out (a nested model's layers under `layers/<its key>/layers/…`).
 */

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/nested-models-interop: skipped: ${skipReason}`)

const NAMES = ['seq_in_func', 'func_in_seq', 'two_level', 'late_first_call', 'nested_outputs']

/** A Sequential inside a Functional model inside a Sequential, built in tfjs; the inner Sequential is called twice. */
const tfjsNested = (): tfl.LayersModel => {
  const block = tfl.sequential({
    name: 'block',
    layers: [tfl.layers.dense({ units: 4, inputShape: [4], activation: 'relu', name: 'b1' }), tfl.layers.dense({ units: 4, name: 'b2' })],
  })
  const x = tfl.input({ shape: [4], name: 'x' })
  const body = tfl.model({ inputs: x, outputs: block.apply(block.apply(x)) as tfl.SymbolicTensor, name: 'body' })
  return tfl.sequential({ name: 'outer', layers: [body, tfl.layers.dense({ units: 2, name: 'top' })] })
}

const INPUTS: InputSpec[] = [
  {
    data: [
      [0.1, -0.4, 0.7, 0.3],
      [0.9, 0.2, -0.3, -0.6],
    ],
    dtype: 'float32',
  },
]

describe.skipIf(skipReason !== null)('nested models against Python Keras 3', () => {
  const session = roundTripTests(NAMES, 'ckpt-keras-nested-')

  it('a tfjs model nested two deep, a nested Sequential called twice → .keras and .weights.h5 Keras loads with the same nesting and predictions', async () => {
    const model = tfjsNested()
    randomizeWeights(model, 13)
    const expected = predictAll(model, INPUTS)
    const got = await tfjsModelInKeras(session(), model, 'nested', INPUTS)
    // Names and classes, nested models with their layers (Keras's own call counts inside Sequential models aside).
    const shape = (tree: unknown[]): unknown[] =>
      tree.map((l) => {
        const [name, cls, , inner] = l as [string, string, number, unknown[] | null]
        return [name, cls, inner === null ? null : shape(inner)]
      })
    expect(shape(got.tree)).toEqual([
      [
        'body',
        'Functional',
        [
          ['x', 'InputLayer', null],
          [
            'block',
            'Sequential',
            [
              ['b1', 'Dense', null],
              ['b2', 'Dense', null],
            ],
          ],
        ],
      ],
      ['top', 'Dense', null],
    ])
    expect(within(got.keras, expected[0])).toMatchObject({ ok: true })
    expect(within(got.weights, expected[0])).toMatchObject({ ok: true })
    const { model: back } = await loadKerasModel(session().storage, 'nested.keras')
    expect(within(predictAll(back, INPUTS), expected)).toMatchObject({ ok: true })
    back.dispose()
  })

  it("a tfjs model whose outputs are a nested Functional model's two calls → .keras Keras loads with each output in its place", async () => {
    // Keras numbers a nested Functional's calls from 1 in output_layers: [inner, 0, 0] would be its last call there.
    const a = tfl.input({ shape: [4], name: 'a' })
    const inner = tfl.model({ inputs: a, outputs: tfl.layers.dense({ units: 3, name: 'd' }).apply(a) as tfl.SymbolicTensor, name: 'inner' })
    const x = tfl.input({ shape: [4], name: 'x' })
    const first = inner.apply(x) as tfl.SymbolicTensor
    const second = inner.apply(tfl.layers.dense({ units: 4, name: 'pre' }).apply(x)) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: x, outputs: [first, second], name: 'nested_outs' })
    randomizeWeights(model, 19)
    const expected = predictAll(model, INPUTS)
    const got = await tfjsModelInKeras(session(), model, 'nested_outs', INPUTS)
    expect(within(got.keras, expected)).toMatchObject({ ok: true })
    const { model: back } = await loadKerasModel(session().storage, 'nested_outs.keras')
    expect(within(predictAll(back, INPUTS), expected)).toMatchObject({ ok: true })
    back.dispose()
  })

  it('a frozen nested model (trainable = false in tfjs) is frozen in Keras too: the same trainable variables', async () => {
    // tfjs freezes a model's weights but leaves its layers' configs trainable, and Keras's Sequential.from_config
    // ignores the model's own `trainable`: ckpt writes every layer of a frozen model as Keras does, frozen.
    const a = tfl.input({ shape: [4], name: 'a' })
    const base = tfl.model({ inputs: a, outputs: tfl.layers.dense({ units: 3, name: 'b1' }).apply(a) as tfl.SymbolicTensor, name: 'base' })
    const block = tfl.sequential({ name: 'frozen_block', layers: [tfl.layers.dense({ units: 3, inputShape: [3], name: 's1' })] })
    base.trainable = false
    block.trainable = false
    const x = tfl.input({ shape: [4], name: 'x' })
    const y = tfl.layers.dense({ units: 2, name: 'head' }).apply(block.apply(base.apply(x))) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: x, outputs: y, name: 'frozen' })
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['head/kernel', 'head/bias'])
    await saveKerasModel(model, session().storage, 'frozen.keras')
    const got = await session().keras.request<{ result: string[] }>('script', {
      code: 'result = [v.path for v in keras.models.load_model(request["path"]).trainable_variables]',
      request: { path: join(session().dir, 'frozen.keras') },
    })
    expect(got.result).toEqual(['head/kernel', 'head/bias'])
    const { model: back } = await loadKerasModel(session().storage, 'frozen.keras')
    expect(back.trainableWeights.map((w) => w.originalName)).toEqual(['head/kernel', 'head/bias'])
    back.dispose()
  })

  it('a tfjs model calling a two-input Functional model with a list → .keras Keras loads with the same predictions, and back', async () => {
    const p = tfl.input({ shape: [4], name: 'p' })
    const q = tfl.input({ shape: [4], name: 'q' })
    const joined = tfl.layers.concatenate({ name: 'joined' }).apply([p, q]) as tfl.SymbolicTensor
    const pair = tfl.model({
      inputs: [p, q],
      outputs: tfl.layers.dense({ units: 3, name: 'mix' }).apply(joined) as tfl.SymbolicTensor,
      name: 'pair',
    })
    const a = tfl.input({ shape: [4], name: 'a' })
    const b = tfl.input({ shape: [4], name: 'b' })
    const y = tfl.layers.dense({ units: 2, name: 'head' }).apply(pair.apply([a, b])) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: [a, b], outputs: y, name: 'two_inputs' })
    randomizeWeights(model, 17)
    const inputs: InputSpec[] = [
      INPUTS[0] as InputSpec,
      {
        data: [
          [0.5, 0.1, -0.2, 0.8],
          [-0.7, 0.4, 0.3, -0.1],
        ],
        dtype: 'float32',
      },
    ]
    const expected = predictAll(model, inputs)
    const got = await tfjsModelInKeras(session(), model, 'two_inputs', inputs)
    expect(got.tree.map((l) => (l as unknown[]).slice(0, 2))).toEqual([
      ['a', 'InputLayer'],
      ['b', 'InputLayer'],
      ['pair', 'Functional'],
      ['head', 'Dense'],
    ])
    expect(within(got.keras, expected[0])).toMatchObject({ ok: true })
    expect(within(got.weights, expected[0])).toMatchObject({ ok: true })
    const { model: back } = await loadKerasModel(session().storage, 'two_inputs.keras')
    expect(within(predictAll(back, inputs), expected)).toMatchObject({ ok: true })
    back.dispose()
  })
})

describe('nested models in the weights file and refused nestings (no Python needed)', () => {
  it("a nested model's layers are keyed by their path and written under the model's group", async () => {
    const model = tfjsNested()
    const file = await kerasWeightsFile(model, { includeOptimizer: false })
    if (E.isLeft(file)) throw new Error(file.left.message)
    expect(file.right.groups.map((g) => [g.path, g.name, g.vars.length])).toEqual([
      ['', 'outer', 0],
      ['layers/functional', 'body', 0],
      ['layers/functional/layers/input_layer', 'x', 0],
      ['layers/functional/layers/sequential', 'block', 0],
      ['layers/functional/layers/sequential/layers/dense', 'b1', 2],
      ['layers/functional/layers/sequential/layers/dense_1', 'b2', 2],
      ['layers/dense', 'top', 2],
    ])
  })

  it("modelCheckpoint checks and writes a nested model: each .keras checkpoint loads compiled, with that epoch's weights and optimizer state", async () => {
    await tf.setBackend('cpu')
    const model = tfjsNested()
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
    const seen: number[][][] = []
    const storage = memoryStorage()
    const x = tf.randomUniform([8, 4], -1, 1, 'float32', 3)
    const y = tf.randomUniform([8, 2], -1, 1, 'float32', 4)
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: [
        modelCheckpoint({ storage, filepath: 'nested_{epoch}.keras', log: () => {} }),
        new tfl.CustomCallback({
          onEpochEnd: () => Promise.resolve(void seen.push(model.getWeights().map((w) => Array.from(w.dataSync())))),
        }),
      ],
    })
    for (const epoch of [1, 2]) {
      const { model: loaded, optimizer } = await loadKerasModel(storage, `nested_${epoch}.keras`)
      expect(optimizer).toEqual({ _tag: 'OptimizerLoaded', optimizer: 'Adam', iterations: epoch * 2 })
      expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(seen[epoch - 1])
      loaded.dispose()
    }
    tf.dispose([x, y])
  })

  it("a nested model's second output, and its call with a dict, are refused by inbound_nodes", async () => {
    const a = tfl.input({ shape: [3], name: 'a' })
    const inner = tfl.model({ inputs: a, outputs: tfl.layers.dense({ units: 3, name: 'd' }).apply(a) as tfl.SymbolicTensor, name: 'inner' })
    const x = tfl.input({ shape: [3], name: 'x' })
    const y = tfl.layers.dense({ units: 2, name: 'after' }).apply(inner.apply(x)) as tfl.SymbolicTensor
    const model = (): tfl.LayersModel => tfl.model({ inputs: x, outputs: y, name: 'outer' })
    const second = await loadEdited(model(), (c) => {
      layerNamed(c, 'after').inbound_nodes[0]!.args = [kerasTensorRef('inner', 1, 1)]
    })
    expect(E.isLeft(second) && second.left).toMatchObject({
      _tag: 'UnsupportedConfig',
      layer: 'after',
      field: 'inbound_nodes',
      value: ['inner', 1, 1],
    })
    const dict = await loadEdited(model(), (c) => {
      layerNamed(c, 'inner').inbound_nodes[0]!.args = [{ a: kerasTensorRef('x', 0) }]
    })
    expect(E.isLeft(dict) && dict.left).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'inner', field: 'inbound_nodes.args' })
  })

  it("a layer named like a nested model's layer path (`inner/d`, which tfjs takes) is refused, not written over it", async () => {
    const a = tfl.input({ shape: [3], name: 'a' })
    const inner = tfl.model({ inputs: a, outputs: tfl.layers.dense({ units: 3, name: 'd' }).apply(a) as tfl.SymbolicTensor, name: 'inner' })
    const x = tfl.input({ shape: [3], name: 'x' })
    const y = tfl.layers.dense({ units: 3, name: 'inner/d' }).apply(inner.apply(x)) as tfl.SymbolicTensor
    const file = await kerasWeightsFile(tfl.model({ inputs: x, outputs: y, name: 'outer' }), { includeOptimizer: false })
    expect(E.isLeft(file) && file.left).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'inner/d', field: 'name' })
  })

  it('a layer called in a nested model and in the outer graph is refused (Keras saves it once and cannot load it back)', async () => {
    const d = tfl.layers.dense({ units: 3, name: 'd' })
    const a = tfl.input({ shape: [3], name: 'a' })
    const inner = tfl.model({ inputs: a, outputs: d.apply(a) as tfl.SymbolicTensor, name: 'inner' })
    const x = tfl.input({ shape: [3], name: 'x' })
    const y = tfl.layers.add({ name: 'sum' }).apply([inner.apply(x) as tfl.SymbolicTensor, d.apply(x) as tfl.SymbolicTensor])
    const model = tfl.model({ inputs: x, outputs: y as tfl.SymbolicTensor, name: 'outer' })
    const refusal = { _tag: 'UnsupportedConfig', layer: 'd', field: 'inbound_nodes', value: 'inner/d' }
    const file = await kerasWeightsFile(model, { includeOptimizer: false })
    expect(E.isLeft(file) && file.left).toMatchObject(refusal)
    const bytes = await encodeKerasModel(model)
    expect(E.isLeft(bytes) && bytes.left).toMatchObject(refusal)
  })

  it('unmapped layers inside nested models are listed with the outer ones, all at once', async () => {
    const a = tfl.input({ shape: [3], name: 'a' })
    const inner = tfl.model({ inputs: a, outputs: tfl.layers.dense({ units: 3, name: 'd' }).apply(a) as tfl.SymbolicTensor, name: 'inner' })
    const x = tfl.input({ shape: [3], name: 'x' })
    const y = tfl.layers.dense({ units: 2, name: 'after' }).apply(inner.apply(x)) as tfl.SymbolicTensor
    const got = await loadEdited(tfl.model({ inputs: x, outputs: y, name: 'outer' }), (c) => {
      const nested = layerNamed(c, 'inner').config as { layers: Array<{ class_name: string }> }
      ;(nested.layers[1] as { class_name: string }).class_name = 'Dot'
      layerNamed(c, 'after').class_name = 'Subtract'
    })
    expect(E.isLeft(got) && got.left).toMatchObject({
      _tag: 'UnsupportedLayer',
      layers: [
        { layer: 'd', className: 'Dot' },
        { layer: 'after', className: 'Subtract' },
      ],
    })
  })
})

describe('nested models through ckpt and back in tfjs (no Python needed)', () => {
  it("a nested SeparableConv2D keeps its depth_multiplier (which tfjs 4.22's toJSON leaves out)", async () => {
    await tf.setBackend('cpu')
    const inner = tfl.sequential({
      name: 'features',
      layers: [tfl.layers.separableConv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, depthMultiplier: 2, name: 'sep' })],
    })
    const x = tfl.input({ shape: [5, 5, 2], name: 'img' })
    const y = tfl.layers.flatten({ name: 'flat' }).apply(inner.apply(x)) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: x, outputs: y, name: 'sep_outer' })
    randomizeWeights(model, 3)
    const bytes = await encodeKerasModel(model)
    if (E.isLeft(bytes)) throw new Error(bytes.left.message)
    const back = await decodeKerasModel(bytes.right, 'sep.keras')
    if (E.isLeft(back)) throw new Error(back.left.message)
    const input = tf.randomUniform([2, 5, 5, 2], -1, 1, 'float32', 5)
    expect((back.right.model.predict(input) as tf.Tensor).arraySync()).toEqual((model.predict(input) as tf.Tensor).arraySync())
    back.right.model.dispose()
    input.dispose()
  })
})
