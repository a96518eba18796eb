import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, functionalTargets, inputsFor, maxDiff, predict, randomizeWeights } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'
import { expectKerasError } from './support/errors.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/optimizer-interop: skipped: ${skipReason}`)

const TOL = 1e-5
const inputs = inputsFor('functional', 4)
const targets = functionalTargets(4)

interface Case {
  readonly label: string
  readonly tfjs: () => tf.Optimizer
  readonly keras: Record<string, unknown>
  readonly className: string
}
const CASES: ReadonlyArray<Case> = [
  { label: 'Adam', tfjs: () => tf.train.adam(0.01), keras: { kind: 'adam', lr: 0.01 }, className: 'Adam' },
  { label: 'SGD', tfjs: () => tf.train.sgd(0.05), keras: { kind: 'sgd', lr: 0.05 }, className: 'SGD' },
  {
    label: 'SGD with momentum (tfjs Momentum)',
    tfjs: () => tf.train.momentum(0.05, 0.9),
    keras: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    className: 'Momentum',
  },
  {
    // Keras's SGD(momentum=0.0) keeps no slot: tfjs's accumulation is not written, and restored as zeros
    label: 'SGD as tfjs Momentum(0)',
    tfjs: () => tf.train.momentum(0.05, 0),
    keras: { kind: 'sgd', lr: 0.05 },
    className: 'Momentum',
  },
  {
    label: 'SGD with Nesterov momentum',
    tfjs: () => tf.train.momentum(0.05, 0.9, true),
    keras: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
    className: 'Momentum',
  },
  {
    // tfjs's centered RMSProp subtracts its epsilon where Keras adds it: Keras's default 1e-7 is tfjs's -1e-7.
    label: 'RMSprop centered with momentum',
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0.5, -1e-7, true),
    keras: { kind: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true },
    className: 'RMSProp',
  },
  { label: 'Adagrad', tfjs: () => tf.train.adagrad(0.1), keras: { kind: 'adagrad', lr: 0.1 }, className: 'Adagrad' },
  {
    label: 'RMSprop plain',
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false),
    keras: { kind: 'rmsprop', lr: 0.01 },
    className: 'RMSProp',
  },
]

const trainTfjs = async (model: ReturnType<typeof buildTfjs>, steps: number): Promise<void> => {
  const x = tf.tensor(inputs)
  const y = tf.tensor(targets)
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y)
  tf.dispose([x, y])
}

describe.skipIf(skipReason !== null)('optimizer state in .weights.h5 against Python Keras 3', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-opt-')
    ;({ keras, dir, storage } = session)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const c of CASES) {
    it(`${c.label}: tfjs trains 3 steps, Keras resumes from the file; the 4th step agrees`, async () => {
      const model = buildTfjs('functional')
      randomizeWeights(model, 21)
      model.compile({ optimizer: c.tfjs(), loss: 'meanSquaredError' })
      await trainTfjs(model, 3)
      const path = `tfjs-${c.label.replace(/\W+/g, '_')}.weights.h5`
      await saveKerasWeights(model, storage, path)
      await trainTfjs(model, 1)
      const expected = predict(model, 'functional', inputs)
      const got = await keras.request<{ outputs_after: number[][]; optimizer_vars: number[][] }>('load_weights', {
        arch: 'functional',
        optimizer: c.keras,
        path: join(dir, path),
        inputs,
        targets,
        then_steps: 1,
      })
      expect(got.optimizer_vars[0]).toEqual([3]) // iteration
      expect(maxDiff(got.outputs_after, expected)).toBeLessThan(TOL)
    })

    it(`${c.label}: Keras trains 3 steps, tfjs resumes from the file; the 4th step agrees`, async () => {
      const path = `keras-${c.label.replace(/\W+/g, '_')}.weights.h5`
      const saved = await keras.request<{ outputs_after: number[][]; optimizer_vars: number[][] }>('save_weights', {
        arch: 'functional',
        optimizer: c.keras,
        path: join(dir, path),
        inputs,
        targets,
        seed: 4,
        train_steps: 3,
        then_steps: 1,
      })
      const model = buildTfjs('functional')
      model.compile({ optimizer: c.tfjs(), loss: 'meanSquaredError' })
      const outcome = await loadKerasWeights(model, storage, path)
      expect(outcome).toEqual({ _tag: 'OptimizerLoaded', optimizer: c.className, iterations: 3 })
      await trainTfjs(model, 1)
      expect(maxDiff(predict(model, 'functional', inputs), saved.outputs_after)).toBeLessThan(TOL)
    })
  }

  it('an optimizer with another layout loads the weights without it, and says why', async () => {
    const path = 'keras-rms-for-adam.weights.h5'
    const saved = await keras.request<{ outputs: number[][] }>('save_weights', {
      arch: 'functional',
      optimizer: { kind: 'rmsprop', lr: 0.01, momentum: 0.5 },
      path: join(dir, path),
      inputs,
      targets,
      train_steps: 2,
    })
    const model = buildTfjs('functional')
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
    const outcome = await loadKerasWeights(model, storage, path)
    expect(outcome._tag).toBe('OptimizerSkipped')
    expect(outcome._tag === 'OptimizerSkipped' && outcome.reason).toMatch(/named 'rm_sprop(_\d+)?', not 'adam'/)
    expect(maxDiff(predict(model, 'functional', inputs), saved.outputs)).toBeLessThan(TOL)
  })

  it('an optimizer without a Keras equivalent is refused by name on save', async () => {
    const model = buildTfjs('functional')
    model.compile({ optimizer: tf.train.adadelta(0.1), loss: 'meanSquaredError' })
    const err = await saveKerasWeights(model, storage, 'adadelta.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, {
      _tag: 'UnsupportedOptimizer',
      optimizer: 'Adadelta',
      supported: ['Adam', 'SGD', 'Momentum', 'RMSProp', 'Adagrad'],
    })
    await saveKerasWeights(model, storage, 'adadelta.weights.h5', { includeOptimizer: false })
  })
})
