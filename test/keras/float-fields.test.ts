import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as fc from 'fast-check'
import * as E from '#fp-ts/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { FLOAT_KEYS, kerasJson } from '../../src/keras/python-json.js'
import { decodeZip } from '../../src/keras/zip-read.js'
import { buildTfjs, inputsFor, maxDiff, predict, randomizeWeights } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

/** Every optimizer ckpt maps to Keras, with integral hyperparameters (issue 10 item 10). */
const CASES = [
  { label: 'sgd(1)', make: () => tf.train.sgd(1), keras: 'SGD', config: { learning_rate: '1.0', momentum: '0.0' } },
  // learning_rate as Keras writes its float32 variable
  { label: 'sgd(0.01)', make: () => tf.train.sgd(0.01), keras: 'SGD', config: { learning_rate: '0.009999999776482582', momentum: '0.0' } },
  { label: 'momentum(1, 1)', make: () => tf.train.momentum(1, 1), keras: 'SGD', config: { learning_rate: '1.0', momentum: '1.0' } },
  {
    label: 'adam(2, 0, 0, 1)',
    make: () => tf.train.adam(2, 0, 0, 1),
    keras: 'Adam',
    config: { learning_rate: '2.0', beta_1: '0.0', beta_2: '0.0', epsilon: '1.0' },
  },
  {
    label: 'rmsprop(1, 0, 0, 1)',
    make: () => tf.train.rmsprop(1, 0, 0, 1),
    keras: 'RMSprop',
    config: { learning_rate: '1.0', rho: '0.0', momentum: '0.0', epsilon: '1.0' },
  },
  {
    // centered: Keras's epsilon is tfjs's negated (tfjs subtracts it)
    label: 'rmsprop(1, 1, 1, 1, centered)',
    make: () => tf.train.rmsprop(1, 1, 1, 1, true),
    keras: 'RMSprop',
    config: { learning_rate: '1.0', rho: '1.0', momentum: '1.0', epsilon: '-1.0' },
  },
  {
    label: 'momentum(1, 1, nesterov)',
    make: () => tf.train.momentum(1, 1, true),
    keras: 'SGD',
    config: { learning_rate: '1.0', momentum: '1.0' },
  },
  {
    label: 'adagrad(1, 1)',
    make: () => tf.train.adagrad(1, 1),
    keras: 'Adagrad',
    config: { learning_rate: '1.0', initial_accumulator_value: '1.0' },
  },
  {
    label: 'adagrad(2, 0)',
    make: () => tf.train.adagrad(2, 0),
    keras: 'Adagrad',
    config: { learning_rate: '2.0', initial_accumulator_value: '0.0' },
  },
] as const

describe('kerasJson: float-typed fields as Python writes floats', () => {
  it('writes the numbers of float keys as floats, in arrays too, and nothing else differently', () => {
    expect(kerasJson({ momentum: 0, learning_rate: 1, units: 8, nested: { rate: [0, 0.5, -3] }, epsilon: 1e-7, n: null })).toBe(
      '{"momentum":0.0,"learning_rate":1.0,"units":8,"nested":{"rate":[0.0,0.5,-3.0]},"epsilon":1e-7,"n":null}',
    )
    expect(kerasJson({ momentum: 1e21, alpha: -0, l2: NaN, skip: undefined })).toBe('{"momentum":1e+21,"alpha":0.0,"l2":null}')
  })

  it('means what JSON.stringify means, for any JSON value (the same bytes without float keys)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom(...FLOAT_KEYS))
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(key, fc.jsonValue()), (a, b) => {
        for (const v of [a, b, { config: b, more: [a, b] }]) {
          expect(JSON.parse(kerasJson(v))).toEqual(JSON.parse(JSON.stringify(v)))
          const plain = JSON.stringify(v, (k, x: unknown) => (FLOAT_KEYS.has(k) ? undefined : x))
          expect(kerasJson(JSON.parse(plain))).toBe(plain)
        }
      }),
    )
  })
})

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/float-fields: skipping the Python Keras checks: ${skipReason}`)

describe.skipIf(skipReason !== null)('.keras with integral hyperparameters loads in Python Keras 3 (issue 10 item 10)', () => {
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-floats-')
  }, 120_000)
  afterAll(() => closeKerasSession(session))

  it.each(CASES)('$label: config.json holds floats, and keras.models.load_model loads the model compiled', async (c) => {
    const { keras, dir, storage } = session!
    const model = buildTfjs('mlp')
    randomizeWeights(model, 5)
    model.compile({ optimizer: c.make(), loss: 'meanSquaredError' })
    const path = `${c.label.replace(/\W+/g, '_')}.keras`
    await saveKerasModel(model, storage, path)
    const entries = await decodeZip(await storage.read(path))
    if (E.isLeft(entries)) throw new Error(entries.left.message)
    const text = new TextDecoder().decode(entries.right.find((e) => e.name === 'config.json')!.data)
    const optimizer = text.slice(text.indexOf('"optimizer":'))
    for (const [k, v] of Object.entries(c.config)) expect(optimizer).toContain(`"${k}":${v},`)
    expect(text).toContain('"rate":0.2') // the Dropout layer's config

    const inputs = inputsFor('mlp')
    const got = await keras.request<{ outputs: number[][]; optimizer: string }>('load_model', { path: join(dir, path), inputs })
    expect(got.optimizer).toBe(c.keras)
    expect(maxDiff(got.outputs, predict(model, 'mlp', inputs))).toBeLessThan(1e-5)
    model.dispose()
  })
})
