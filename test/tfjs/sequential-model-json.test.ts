import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { loadModel } from '../../src/adapters/tfjs/model.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, fsTestStorage, type TestStorage } from './support/fixtures.js'

/**
 * `Sequential.fit` hands callbacks its inner functional model (`<name>_model`, an InputLayer then the layers). A
 * `model.json` checkpoint still describes the Sequential, so that restoring it gives a `tf.Sequential` again.
 */

const FIT = { batchSize: 8, shuffle: false, verbose: 0 } as const
const quiet = { log: () => {} }

/** With `explicitInput`, the Sequential starts with an InputLayer of its own, which tfjs keeps in `layers`. */
const build = (name?: string, explicitInput = false): tfl.Sequential => {
  const model = tfl.sequential({
    ...(name === undefined ? {} : { name }),
    layers: [
      ...(explicitInput ? [tfl.layers.inputLayer({ inputShape: [4] })] : []),
      tfl.layers.dense({ units: 5, activation: 'tanh', ...(explicitInput ? {} : { inputShape: [4] }) }),
      tfl.layers.dropout({ rate: 0.1 }),
      tfl.layers.dense({ units: 1 }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  return model
}

const predictions = (model: tfl.LayersModel, x: tf.Tensor): number[] => Array.from((model.predict(x) as tf.Tensor).dataSync())

describe('a tf.Sequential checkpointed as model.json by modelCheckpoint (cpu, real training)', () => {
  let t: TestStorage
  let data: ReturnType<typeof dataset>
  beforeAll(async () => {
    await useBackend('cpu')
    data = dataset()
    t = await fsTestStorage()
  })
  afterAll(async () => {
    await t.cleanup()
  })

  const cases = [
    { name: 'regressor', explicitInput: false },
    { name: undefined, explicitInput: false },
    { name: 'with_input', explicitInput: true },
  ]
  for (const { name, explicitInput } of cases) {
    it(`comes back as a tf.Sequential named as the original (${name ?? 'default name'}${explicitInput ? ', its own InputLayer' : ''}), with its layers, predicting the same`, async () => {
      const storage = memoryStorage()
      const model = build(name, explicitInput)
      await model.fit(data.x, data.y, {
        ...FIT,
        epochs: 2,
        callbacks: [modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', ...quiet })],
      })
      const expected = predictions(model, data.x)

      const restored = await restoreLatest(storage, quiet)
      expect(restored).not.toBeNull()
      const back = restored!.model
      expect(back).toBeInstanceOf(tfl.Sequential)
      expect(back.name).toBe(model.name)
      expect(back.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()))
      expect(back.layers.map((l) => l.getClassName())).toEqual([...(explicitInput ? ['InputLayer'] : []), 'Dense', 'Dropout', 'Dense'])
      expect(predictions(back, data.x)).toEqual(expected)

      const loaded = await loadModel(storage, 'e2/model.json')
      expect(loaded).toBeInstanceOf(tfl.Sequential)
      expect(loaded.name).toBe(model.name)
      expect(predictions(loaded, data.x)).toEqual(expected)
    })
  }

  it('a restored Sequential trained on is checkpointed as a Sequential again', async () => {
    const model = build('again')
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 1,
      callbacks: [modelCheckpoint({ storage: t.storage, filepath: 'again/e{epoch}/model.json', ...quiet })],
    })
    const first = await loadModel(t.storage, 'again/e1/model.json')
    await first.fit(data.x, data.y, {
      ...FIT,
      epochs: 2,
      initialEpoch: 1,
      callbacks: [modelCheckpoint({ storage: t.storage, filepath: 'again/e{epoch}/model.json', ...quiet })],
    })
    const second = await loadModel(t.storage, 'again/e2/model.json')
    expect(second).toBeInstanceOf(tfl.Sequential)
    expect(second.name).toBe('again')
    expect(predictions(second, data.x)).toEqual(predictions(first, data.x))
  })
})
