/**
 * tfjs 4.22's BatchNormalization computes wrong numbers for an `axis` other than the last (it broadcasts gamma, beta
 * and the moving statistics along the wrong dimension: axis=1 on a [3, 4] input scales row i by gamma[j % 3]), so a
 * `.keras` with such a layer would load, or be written, with other numbers than Keras 3 computes. It is refused by
 * field, both ways; the last axis (as -1 or as its index) still translates.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { expectKerasError } from './support/errors.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/batchnorm-axis-interop: skipped: ${skipReason}`)

const batchNorm = (axis: number): tfl.Sequential => {
  const model = tfl.sequential({ layers: [tfl.layers.batchNormalization({ axis, inputShape: [3, 4], name: 'bn' })] })
  const n = model.weights[0]!.shape[0]!
  model.setWeights([tf.tensor(Array.from({ length: n }, (_, i) => i + 1)), tf.zeros([n]), tf.zeros([n]), tf.ones([n])])
  return model
}

describe('BatchNormalization on another axis than the last, tfjs → .keras', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })
  for (const axis of [1, -2]) {
    it(`axis=${axis} on a [3, 4] input is refused by field, and no file is written`, async () => {
      const storage = memoryStorage()
      const err = await saveKerasModel(batchNorm(axis), storage, 'bn.keras').catch((e: unknown) => e)
      expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'bn', field: 'axis', value: axis })
      await expect(storage.stat('bn.keras')).resolves.toBeNull()
    })
  }
  for (const axis of [-1, 2]) {
    it(`axis=${axis} (the last) is written and loads back predicting the same`, async () => {
      const storage = memoryStorage()
      const model = batchNorm(axis)
      await saveKerasModel(model, storage, 'bn.keras')
      const { model: back } = await loadKerasModel(storage, 'bn.keras')
      const x = tf.randomUniform([2, 3, 4], -2, 2, 'float32', 5)
      expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()))
    })
  }
})

describe.skipIf(skipReason !== null)('BatchNormalization(axis=1) from Python Keras 3', () => {
  let session: KerasSession
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-bn-axis-')
    const code = [
      'for axis in (1, -1):',
      '    m = keras.Sequential([keras.Input((3, 4)), keras.layers.BatchNormalization(axis=axis, name="bn")])',
      '    m.save(os.path.join(request["dir"], f"bn{axis}.keras"))',
    ].join('\n')
    await session.keras.request('script', { code, request: { dir: session.dir } })
  }, 300_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  it('axis=1 is refused by field', async () => {
    const err = await loadKerasModel(session.storage, 'bn1.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'bn', field: 'axis', value: 1 })
  })
  it('axis=-1 loads', async () => {
    const { model } = await loadKerasModel(session.storage, 'bn-1.keras')
    expect(model.layers.map((l) => l.getClassName())).toEqual(['BatchNormalization'])
  })
})
