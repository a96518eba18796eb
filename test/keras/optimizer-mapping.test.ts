import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { describe, expect, it } from 'vitest'
import { encodeKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { optimizerSettings } from '../../src/adapters/tfjs/keras/optimizer.js'
import { kerasWeightsFile } from '../../src/adapters/tfjs/keras/weights.js'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { kerasCompileConfig, tfjsOptimizerSpec } from '../../src/keras/compile-config.js'
import type { Obj } from '../../src/keras/layer-config.js'
import { groupAt } from '../../src/keras/weights-file.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { expectKerasError } from './support/errors.js'

/** Which tfjs optimizers and settings ckpt writes for Keras 3, and which Keras optimizers it loads (no Python). */

const SUPPORTED = ['Adam', 'SGD', 'Momentum', 'RMSProp', 'Adagrad']

const model = (optimizer: tf.Optimizer): tfl.LayersModel => {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] })
  m.compile({ optimizer, loss: 'meanSquaredError' })
  return m
}

const optimizerConfig = (optimizer: tf.Optimizer): Obj => {
  const compile = kerasCompileConfig(optimizerSettings(optimizer), 'meanSquaredError')
  return (compile!['optimizer'] as Obj)['config'] as Obj
}

const kerasSpec = (className: string, config: Obj): Obj => ({ module: 'keras.optimizers', class_name: className, config })

describe('tfjs optimizers Keras 3 cannot continue are refused, with the setting when it is one', () => {
  const cases = [
    {
      label: 'adadelta',
      make: () => tf.train.adadelta(0.1),
      optimizer: 'Adadelta',
      setting: undefined,
      reason: /tfjs's Adadelta scales each step by the squared-gradient average from before the step/,
    },
    { label: 'adamax', make: () => tf.train.adamax(0.01), optimizer: 'Adamax', setting: undefined, reason: /getWeights\/setWeights/ },
    {
      label: 'momentum 1.5',
      make: () => tf.train.momentum(0.1, 1.5),
      optimizer: 'Momentum',
      setting: 'momentum',
      reason: /between 0 and 1/,
    },
    {
      label: 'momentum -0.1',
      make: () => tf.train.momentum(0.1, -0.1),
      optimizer: 'Momentum',
      setting: 'momentum',
      reason: /between 0 and 1/,
    },
    {
      label: 'rmsprop momentum -0.5',
      make: () => tf.train.rmsprop(0.1, 0.9, -0.5),
      optimizer: 'RMSProp',
      setting: 'momentum',
      reason: /Keras's RMSprop ignores a momentum below 0/,
    },
  ] as const

  it.each(cases)('$label: saveKerasWeights, saveKerasModel and encodeKerasModel reject it; nothing is written', async (c) => {
    const storage = memoryStorage()
    const m = model(c.make())
    const expected = { _tag: 'UnsupportedOptimizer', optimizer: c.optimizer, supported: SUPPORTED } as const
    for (const err of [
      await saveKerasWeights(m, storage, 'w.weights.h5').catch((e: unknown) => e),
      await saveKerasModel(m, storage, 'm.keras').catch((e: unknown) => e),
    ]) {
      const e = expectKerasError(err, expected)
      expect(e.setting).toBe(c.setting)
      expect(e.message).toMatch(c.reason)
    }
    const encoded = await encodeKerasModel(m)
    expect(E.isLeft(encoded) && encoded.left).toMatchObject({ ...expected, ...(c.setting === undefined ? {} : { setting: c.setting }) })
    expect(await storage.list()).toEqual([])
    // The weights alone are still written.
    await saveKerasWeights(m, storage, 'w.weights.h5', { includeOptimizer: false })
    m.dispose()
  })

  it.each(cases)('$label: loadKerasWeights loads the weights and skips the optimizer state, saying why', async (c) => {
    const storage = memoryStorage()
    const source = model(tf.train.sgd(0.1))
    await source.trainOnBatch(tf.ones([1, 3]), tf.ones([1, 2]))
    await saveKerasWeights(source, storage, 'w.weights.h5')
    const m = model(c.make())
    const outcome = await loadKerasWeights(m, storage, 'w.weights.h5')
    expect(outcome).toMatchObject({
      _tag: 'OptimizerSkipped',
      optimizer: c.optimizer,
      ...(c.setting === undefined ? {} : { setting: c.setting }),
    })
    expect(outcome._tag === 'OptimizerSkipped' && outcome.reason).toMatch(c.reason)
    expect(m.getWeights().map((w) => w.arraySync())).toEqual(source.getWeights().map((w) => w.arraySync()))
    m.dispose()
    source.dispose()
  })

  it('momentum 0 and 1, and RMSProp momentum 0, are written', async () => {
    for (const o of [tf.train.momentum(0.1, 0), tf.train.momentum(0.1, 1), tf.train.rmsprop(0.1, 0.9, 0)]) {
      const encoded = await encodeKerasModel(model(o))
      expect(E.isRight(encoded)).toBe(true)
    }
  })
})

describe('optimizer state and config as Keras writes them', () => {
  it('an Adagrad that has not stepped is written with its initial accumulator value, as Keras builds it', async () => {
    const file = await kerasWeightsFile(model(tf.train.adagrad(0.1, 0.5)))
    if (E.isLeft(file)) throw new Error(file.left.message)
    const vars = groupAt(file.right, 'optimizer')!.vars
    expect(vars.map((v) => v.shape)).toEqual([[], [], [3, 2], [2]])
    expect(Array.from(vars[2]!.data as Float32Array)).toEqual(new Array(6).fill(0.5))
    expect(Array.from(vars[3]!.data as Float32Array)).toEqual([0.5, 0.5])
  })

  it("tfjs Momentum with momentum 0 is written with no slots, as Keras's SGD(momentum=0.0)", async () => {
    const m = model(tf.train.momentum(0.1, 0))
    await m.trainOnBatch(tf.ones([1, 3]), tf.ones([1, 2]))
    const file = await kerasWeightsFile(m)
    if (E.isLeft(file)) throw new Error(file.left.message)
    expect(groupAt(file.right, 'optimizer')!.vars.map((v) => v.dtype)).toEqual(['int64', 'float32'])
    expect(optimizerConfig(tf.train.momentum(0.1, 0))).toMatchObject({ momentum: 0, nesterov: false })
  })

  it('learning_rate is written as its float32 value, as Keras writes its learning_rate variable', () => {
    expect(optimizerConfig(tf.train.adam(0.01))['learning_rate']).toBe(0.009999999776482582)
    expect(optimizerConfig(tf.train.sgd(0.1))['learning_rate']).toBe(Math.fround(0.1))
    expect(optimizerConfig(tf.train.sgd(0.5))['learning_rate']).toBe(0.5)
  })

  it("centered RMSProp's epsilon is negated both ways (tfjs subtracts it where Keras adds it); plain RMSProp's is not", () => {
    expect(optimizerConfig(tf.train.rmsprop(0.01, 0.9, 0, -1e-7, true))).toMatchObject({ epsilon: 1e-7, centered: true })
    expect(optimizerConfig(tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false))).toMatchObject({ epsilon: 1e-7, centered: false })
    expect(tfjsOptimizerSpec(kerasSpec('RMSprop', { learning_rate: 0.01, epsilon: 1e-7, centered: true }))).toEqual(
      E.right({ kind: 'rmsprop', learningRate: 0.01, decay: 0.9, momentum: 0, epsilon: -1e-7, centered: true }),
    )
    expect(tfjsOptimizerSpec(kerasSpec('RMSprop', { learning_rate: 0.01, epsilon: 1e-7, centered: false }))).toEqual(
      E.right({ kind: 'rmsprop', learningRate: 0.01, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false }),
    )
  })

  it('Adagrad maps both ways with its initial accumulator value and epsilon 1e-7 (tfjs adds its backend epsilon)', () => {
    expect(optimizerConfig(tf.train.adagrad(0.1, 0.25))).toMatchObject({ initial_accumulator_value: 0.25, epsilon: 1e-7 })
    expect(tfjsOptimizerSpec(kerasSpec('Adagrad', { learning_rate: 0.1, initial_accumulator_value: 0.25, epsilon: 1e-7 }))).toEqual(
      E.right({ kind: 'adagrad', learningRate: 0.1, initialAccumulatorValue: 0.25 }),
    )
  })
})

describe('Keras optimizers without a tfjs twin load the model uncompiled, saying why', () => {
  it.each([
    ['Adagrad', { learning_rate: 0.1, epsilon: 1e-6 }, /Keras Adagrad uses epsilon=0.000001; tfjs's Adagrad always adds 1e-7/],
    ['Adadelta', { learning_rate: 1, rho: 0.95, epsilon: 1e-7 }, /Keras optimizer Adadelta: tfjs's Adadelta computes its step/],
    ['Adamax', { learning_rate: 0.01 }, /Keras optimizer Adamax: tfjs does not implement getWeights\/setWeights/],
    ['Nadam', { learning_rate: 0.01 }, /Keras optimizer Nadam: it has no tfjs equivalent with the same state/],
    ['RMSprop', { learning_rate: 0.01, momentum: -0.5 }, /momentum=-0.5, which Keras ignores and tfjs's RMSProp would apply/],
  ])('%s %j', (className, config, reason) => {
    const spec = tfjsOptimizerSpec(kerasSpec(className, config))
    expect(E.isLeft(spec) && spec.left).toMatch(reason)
  })
})
