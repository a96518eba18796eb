import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, tinyModel } from './support/fixtures.js'
import { FIT } from './support/resume-setup.js'

const quiet = { log: () => {} }

describe('saveLast in modelCheckpoint: last is written in the format the filepath ending picks', () => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend('cpu')
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it.each([
    ['ckpt/e{epoch:02d}/model.json', false, 'ckpt/last/model.json', 'tfjs-layers', true],
    ['ckpt/e{epoch:02d}.keras', false, 'ckpt/last.keras', 'keras-model', true],
    ['ckpt/e{epoch:02d}.weights.h5', true, 'ckpt/last.weights.h5', 'keras-weights-h5', false],
    ['ckpt/e{epoch:02d}.safetensors', false, 'ckpt/last.safetensors', 'safetensors', false],
  ] as const)('%s (saveWeightsOnly: %s): last at its default path %s', async (filepath, saveWeightsOnly, last, format, wholeModel) => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    const cb = modelCheckpoint({
      storage,
      filepath,
      saveWeightsOnly,
      monitor: 'loss',
      mode: 'max',
      saveBestOnly: true,
      saveLast: true,
      ...quiet,
    })
    await model.fit(data.x, data.y, { ...FIT, epochs: 3, callbacks: [cb] })
    const entries = await cb.list()
    expect(entries.filter((e) => e.last).map((e) => [e.path, e.epoch, e.format])).toEqual([[last, 2, format]])
    expect((await cb.latest())?.path).toBe(last)
    if (wholeModel) {
      const r = (await restoreLatest(storage))!
      expect([r.entry.path, r.initialEpoch]).toEqual([last, 3])
      r.model.dispose()
    }
    model.dispose()
  })

  it('a lastFilepath whose ending picks another format is refused at construction, naming it', () => {
    const make = () =>
      modelCheckpoint({
        storage: memoryStorage(),
        filepath: 'e{epoch}/model.json',
        saveLast: true,
        lastFilepath: 'last.safetensors',
        ...quiet,
      })
    expect(make).toThrow(CkptTfjsError)
    expect(make).toThrow(
      "ckpt/tfjs: lastFilepath=last.safetensors: got the ending '.safetensors' (format safetensors); expected a path ending in 'model.json', as filepath does: \"last\" is written in filepath's format (tfjs-layers)",
    )
    try {
      make()
    } catch (e) {
      expect(e).toMatchObject({ _tag: 'UnsupportedFilepath', filepath: 'last.safetensors' })
    }
  })
})
