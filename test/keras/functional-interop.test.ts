import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kerasLayerOrder } from '../../src/keras/config.js'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { toKerasOrder, toModelOrder } from '../../src/keras/layer-order.js'
import { kerasWeightsFile } from '../../src/adapters/tfjs/keras/weights.js'
import { layerInfos } from '../../src/adapters/tfjs/keras/model-structure.js'
import { decodeZip } from '../../src/keras/zip-read.js'
import type { Storage } from '../../src/storage/storage.js'
import { maxDiff, randomizeWeights } from './support/archs.js'
import { buildFunctional, functionalInputs, predictAll, type FunctionalArch } from './support/functional-archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'
import { expectKerasError } from './support/errors.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/functional-interop: skipped: ${skipReason}`)

const TOL = 1e-5
const ARCHS: ReadonlyArray<FunctionalArch> = ['functional', 'branches', 'mixed']

/** The config.json of a .keras file on disk. */
const configOf = async (path: string): Promise<unknown> => {
  const entries = await decodeZip(new Uint8Array(await readFile(path)))
  if (E.isLeft(entries)) throw new Error(entries.left.message)
  const config = entries.right.find((e) => e.name === 'config.json')
  return JSON.parse(new TextDecoder().decode(config?.data))
}

describe.skipIf(skipReason !== null)('Functional models in .keras against Python Keras 3', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-functional-')
    ;({ keras, dir, storage } = session)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const arch of ARCHS) {
    it(`${arch}: tfjs → .keras → keras.models.load_model predicts the same`, async () => {
      const model = buildFunctional(arch)
      randomizeWeights(model, 17)
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
      const inputs = functionalInputs(arch)
      const expected = predictAll(model, inputs)
      await saveKerasModel(model, storage, `${arch}.keras`)
      const got = await keras.request<{ outputs: unknown[]; optimizer: string; class: string; layers: string[]; inputs: string[] }>(
        'load_functional',
        {
          path: join(dir, `${arch}.keras`),
          inputs,
        },
      )
      expect(got.class).toBe('Functional')
      expect(got.optimizer).toBe('Adam')
      expect(got.inputs).toEqual(model.inputs.map((t) => t.sourceLayer.name))
      expect(got.outputs).toHaveLength(expected.length)
      expect(maxDiff(got.outputs, expected)).toBeLessThan(TOL)
      // The file names layers in Keras's order, which ckpt computes from the config: the same as Keras's model.layers.
      const order = kerasLayerOrder(await configOf(join(dir, `${arch}.keras`)))
      expect(E.isRight(order) && order.right.map((l) => l.name)).toEqual(got.layers)
    })

    it(`${arch}: Keras model.save(.keras) → loadKerasModel predicts the same, optimizer state included`, async () => {
      const inputs = functionalInputs(arch)
      const path = join(dir, `${arch}-keras.keras`)
      const saved = await keras.request<{ outputs: unknown[]; layers: string[]; inputs: string[] }>('save_functional', {
        arch,
        path,
        inputs,
        seed: 8,
        train_steps: 2,
        optimizer: { kind: 'adam', lr: 0.01 },
      })
      const order = kerasLayerOrder(await configOf(path))
      expect(E.isRight(order) && order.right.map((l) => l.name)).toEqual(saved.layers)
      const { model, optimizer } = await loadKerasModel(storage, `${arch}-keras.keras`)
      expect(optimizer).toEqual({ _tag: 'OptimizerLoaded', optimizer: 'Adam', iterations: 2 })
      expect(model.inputs.map((t) => t.sourceLayer.name)).toEqual(saved.inputs)
      expect(maxDiff(predictAll(model, inputs), saved.outputs)).toBeLessThan(TOL)
      model.dispose()
    })
  }

  it('branches: tfjs → .keras → tfjs keeps the graph, predictions and the optimizer state exactly', async () => {
    const model = buildFunctional('branches')
    randomizeWeights(model, 5)
    model.compile({ optimizer: tf.train.rmsprop(0.01, 0.9, 0.3), loss: 'meanSquaredError' })
    const inputs = functionalInputs('branches')
    const xs = inputs.map((i) => tf.tensor(i.data as number[][]))
    await model.trainOnBatch(xs, [tf.ones([3, 2]), tf.zeros([3, 1])])
    await saveKerasModel(model, storage, 'round.keras')
    const { model: back, optimizer } = await loadKerasModel(storage, 'round.keras')
    expect(optimizer).toMatchObject({ _tag: 'OptimizerLoaded', optimizer: 'RMSProp', iterations: 1 })
    expect(back.layers.map((l) => [l.name, l.getClassName()])).toEqual(model.layers.map((l) => [l.name, l.getClassName()]))
    expect(back.inputNames).toEqual(model.inputNames)
    expect(back.outputNames).toEqual(model.outputNames)
    expect(predictAll(back, inputs)).toEqual(predictAll(model, inputs))
    const a = await model.optimizer.getWeights()
    const b = await back.optimizer.getWeights()
    expect(b.map((w) => Array.from(w.tensor.dataSync()))).toEqual(a.map((w) => Array.from(w.tensor.dataSync())))
  })

  it('an unsupported merge layer in a Functional model is refused by name', async () => {
    const a = tfl.input({ shape: [2] })
    const b = tfl.input({ shape: [2] })
    const m = tfl.layers.dot({ axes: 1, name: 'dot' }).apply([a, b]) as tfl.SymbolicTensor
    const err = await saveKerasModel(tfl.model({ inputs: [a, b], outputs: m }), storage, 'dot.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedLayer', layer: 'dot', className: 'Dot' })
  })

  it('an LSTM returning its states (several output tensors) is refused by name', async () => {
    const x = tfl.input({ shape: [4, 2] })
    const outs = tfl.layers
      .lstm({ units: 2, returnState: true, name: 'stateful_out', recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' })
      .apply(x) as tfl.SymbolicTensor[]
    const d = tfl.layers.dense({ units: 1, name: 'd' }).apply(outs[1] as tfl.SymbolicTensor) as tfl.SymbolicTensor
    const err = await saveKerasModel(tfl.model({ inputs: x, outputs: d }), storage, 'state.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'd', field: 'inbound_nodes' })
  })
})

describe('weights groups follow Keras layer order, by name (no Python needed)', () => {
  it('when Keras lists same-class layers in another order than tfjs, each layer keeps its own weights', async () => {
    const model = buildFunctional('branches')
    randomizeWeights(model, 2)
    const file = await kerasWeightsFile(model, { includeOptimizer: false })
    if (E.isLeft(file)) throw new Error(file.left.message)
    // Keras order with ha/hb swapped: hb's weights must now be written under layers/dense, ha's under layers/dense_1.
    const swapped = ['a', 'b', 'hb', 'ha', 'cat', 'add', 'o1', 'o2'].map((name) => ({
      name,
      className: model.getLayer(name).getClassName(),
    }))
    const keras = toKerasOrder(file.right, layerInfos(model), swapped)
    if (E.isLeft(keras)) throw new Error(keras.left.message)
    const vars = (f: typeof keras.right, path: string): number[] =>
      Array.from((f.groups.find((g) => g.path === path)?.vars[0]?.data ?? new Float32Array(0)) as Float32Array)
    expect(vars(keras.right, 'layers/dense')).toEqual(Array.from(model.getLayer('hb').getWeights()[0]?.dataSync() ?? []))
    expect(vars(keras.right, 'layers/dense_1')).toEqual(Array.from(model.getLayer('ha').getWeights()[0]?.dataSync() ?? []))
    // And back: reading the Keras-ordered file restores tfjs's naming exactly.
    const back = toModelOrder(keras.right, layerInfos(model), swapped, 'test')
    expect(E.isRight(back) && back.right).toEqual(file.right)
  })
})
