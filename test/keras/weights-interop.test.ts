import { join } from 'node:path'
import '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, inputsFor, maxDiff, predict, randomizeWeights, type Arch } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'
import { expectKerasError } from './support/errors.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/weights-interop: skipped: ${skipReason}`)

/** float32 rounding, accumulated over a few layers computed in a different order by TensorFlow. */
const TOL = 1e-5
const ARCHS: ReadonlyArray<Arch> = ['mlp', 'cnn', 'lstm', 'gru', 'functional']

describe.skipIf(skipReason !== null)('.weights.h5 against Python Keras 3', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-')
    ;({ keras, dir, storage } = session)
    console.info(`test/keras/weights-interop: Keras ${session.version}`)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const arch of ARCHS) {
    it(`${arch}: tfjs → .weights.h5 → Keras load_weights predicts the same`, async () => {
      const model = buildTfjs(arch)
      randomizeWeights(model, 11)
      const inputs = inputsFor(arch)
      const expected = predict(model, arch, inputs)
      await saveKerasWeights(model, storage, `${arch}.weights.h5`)
      const got = await keras.request<{ outputs: number[][] }>('load_weights', { arch, path: join(dir, `${arch}.weights.h5`), inputs })
      expect(maxDiff(got.outputs, expected)).toBeLessThan(TOL)
    })

    it(`${arch}: Keras save_weights → loadKerasWeights predicts the same`, async () => {
      const inputs = inputsFor(arch)
      const path = `${arch}-keras.weights.h5`
      const saved = await keras.request<{ outputs: number[][] }>('save_weights', { arch, path: join(dir, path), inputs, seed: 5 })
      const model = buildTfjs(arch)
      const before = predict(model, arch, inputs)
      expect(maxDiff(before, saved.outputs)).toBeGreaterThan(1e-3) // the load must change something
      const outcome = await loadKerasWeights(model, storage, path)
      expect(outcome._tag).toBe('NoOptimizerState')
      expect(maxDiff(predict(model, arch, inputs), saved.outputs)).toBeLessThan(TOL)
    })
  }

  it('BatchNormalization moving statistics survive Keras training → tfjs', async () => {
    const inputs = inputsFor('cnn')
    const saved = await keras.request<{ outputs: number[][] }>('save_weights', {
      arch: 'cnn',
      path: join(dir, 'bn-trained.weights.h5'),
      inputs,
      seed: 3,
      train_steps: 3,
      optimizer: { kind: 'sgd', lr: 0.05 },
    })
    const model = buildTfjs('cnn')
    await loadKerasWeights(model, storage, 'bn-trained.weights.h5')
    expect(maxDiff(predict(model, 'cnn', inputs), saved.outputs)).toBeLessThan(TOL)
  })

  it('a Keras GRU with reset_after=True is refused by name, and the model is unchanged', async () => {
    const inputs = inputsFor('gru')
    await keras.request('save_weights', { arch: 'gru_reset_after', path: join(dir, 'gru-ra.weights.h5'), inputs })
    const model = tfl.sequential({
      layers: [
        tfl.layers.gru({ units: 5, inputShape: [4, 3], name: 'g', recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
        tfl.layers.dense({ units: 2 }),
      ],
    })
    const before = model.getWeights().map((w) => w.arraySync())
    const err = await loadKerasWeights(model, storage, 'gru-ra.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'g', field: 'reset_after' })
    expect(model.getWeights().map((w) => w.arraySync())).toEqual(before)
  })

  it('a Keras file for another architecture is refused and changes nothing', async () => {
    await keras.request('save_weights', { arch: 'mlp', path: join(dir, 'mlp-other.weights.h5'), inputs: inputsFor('mlp') })
    const model = buildTfjs('functional')
    const before = model.getWeights().map((w) => w.arraySync())
    const err = await loadKerasWeights(model, storage, 'mlp-other.weights.h5').catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/do not match the model/)
    const mismatch = expectKerasError(err, { _tag: 'WeightsMismatch', path: 'mlp-other.weights.h5' })
    expect(mismatch.mismatches.length).toBeGreaterThan(0)
    for (const m of mismatch.mismatches) expect(['Missing', 'Unexpected', 'Shape', 'Dtype']).toContain(m._tag)
    expect(model.getWeights().map((w) => w.arraySync())).toEqual(before)
  })
})
