import { createHash } from 'node:crypto'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { restoreLayersModel } from '../../src/adapters/tfjs/layers-restore.js'
import { verifyingReader } from '../../src/checkpointer/artifact-reader.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, tinyModel } from './support/fixtures.js'

// restoreLayersModel builds the model from model.json, then compiles it by the training config. A training config
// tfjs cannot compile (here a loss it does not know) rejects; the model built just before must not be left behind.
describe('a model.json checkpoint whose training config does not compile', () => {
  beforeAll(() => useBackend('cpu'))

  it('rejects and leaves no tensor behind', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    const { x, y } = dataset()
    await model.fit(x, y, {
      epochs: 1,
      batchSize: 8,
      verbose: 0,
      callbacks: [modelCheckpoint({ storage, filepath: 'm/model.json', log: () => {} })],
    })
    tf.dispose([x, y])
    model.dispose()
    model.optimizer.dispose()

    // The entry as if the writer had written this model.json: the reader verifies against it.
    const entry = (await loadIndex(storage))!.doc.checkpoints.at(-1)!
    const json = JSON.parse(new TextDecoder().decode(await storage.read('m/model.json'))) as { trainingConfig: { loss: string } }
    json.trainingConfig.loss = 'no_such_loss'
    const bytes = new TextEncoder().encode(JSON.stringify(json))
    await storage.write('m/model.json', [bytes])
    const files = entry.files.map((f) =>
      f.key === 'm/model.json'
        ? { key: f.key, size: bytes.length, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}` }
        : f,
    )

    const before = tf.memory().numTensors
    await expect(restoreLayersModel(verifyingReader(storage, { ...entry, files }), 'm/model.json')).rejects.toThrow(
      /noSuchLoss|no_such_loss/i,
    )
    expect(tf.memory().numTensors).toBe(before)
  })
})
