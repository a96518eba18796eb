import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { BACKENDS, dataset, tinyModel } from './support/fixtures.js'

describe.each(BACKENDS)('tf.memory() across 100 checkpoints on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset(32) // 4 batches of 8 per epoch
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it.each([
    ['whole model, async', 'm/model.json', true],
    ['whole model, sync', 'm/model.json', false],
    ['weights only, async', 'w.safetensors', true],
  ] as const)('%s: no tensor, data buffer or byte is left behind', async (_, filepath, async) => {
    const model = tinyModel(tf.train.adam(0.01))
    const fit = { batchSize: 8, shuffle: false, verbose: 0 } as const
    await model.fit(data.x, data.y, { ...fit, epochs: 1 }) // creates the optimizer's variables
    const before = tf.memory()
    const storage = memoryStorage()
    // saveFreq 1: a checkpoint at every batch end, 4 per epoch.
    await model.fit(data.x, data.y, {
      ...fit,
      epochs: 25,
      callbacks: [modelCheckpoint({ storage, filepath, saveFreq: 1, monitor: 'loss', async, log: () => {} })],
    })
    const index = await loadIndex(storage)
    expect(index!.doc.checkpoints.at(-1)!.step).toBe(100)
    const after = tf.memory()
    expect(after.numTensors).toBe(before.numTensors)
    expect(after.numDataBuffers).toBe(before.numDataBuffers)
    expect(after.numBytes).toBe(before.numBytes)
    model.dispose()
  })
})
