/**
 * The run: model.fit with validation data and a misspelt monitor (`vall_loss`, accepted in auto mode since it
 * ends in "loss"). Nothing is saved; Keras's warning comes every epoch and ckpt's note, naming val_loss, once.
 */
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, tinyModel } from './support/fixtures.js'

describe('modelCheckpoint with a monitor the logs lack', () => {
  beforeAll(() => useBackend('cpu'))
  it("warns as Keras at each epoch and lists the logs' metrics once, suggesting val_loss", async () => {
    const lines: string[] = []
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.01))
    const { x, y } = dataset()
    const cb = modelCheckpoint({
      storage,
      filepath: 'best.safetensors',
      monitor: 'vall_loss',
      saveBestOnly: true,
      saveWeightsOnly: true,
      log: (l) => lines.push(l),
    })
    await model.fit(x, y, { epochs: 3, batchSize: 8, validationData: [x, y], verbose: 0, callbacks: [cb] })
    const keras = 'Warning: Can save best model only with vall_loss available, skipping.'
    expect(lines).toEqual([
      keras,
      'Warning: ckpt: the logs hold val_loss, loss; none is named vall_loss; did you mean val_loss?',
      keras,
      keras,
    ])
    expect(await storage.list()).toEqual([])
    tf.dispose([x, y])
    model.dispose()
  })
})
