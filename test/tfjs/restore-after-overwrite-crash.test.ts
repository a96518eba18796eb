import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeIndex, INDEX_KEY } from '../../src/checkpointer/index.js'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { modelCheckpoint, restoreLatest, useBackend } from '../../src/adapters/tfjs/index.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'

describe('restoreLatest after a crash in the middle of overwriting a fixed-name checkpoint', () => {
  beforeAll(async () => {
    await useBackend('cpu')
  })

  it('finds the previous version that the index had moved to `replacing`, verified, instead of starting over', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    const { x, y } = dataset()
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
      callbacks: [modelCheckpoint({ storage, filepath: 'backup/model.json', monitor: 'loss', log: () => {} })],
    })
    // What step 0 of the next overwrite leaves if the process dies right after it: the entry moved to `replacing`.
    const doc = decodeIndex(await storage.read(INDEX_KEY))
    if (doc._tag === 'Left') throw new Error(doc.left.message)
    const entry = doc.right.checkpoints[0]!
    await storage.write(INDEX_KEY, encodeIndex({ ...doc.right, checkpoints: [], replacing: [entry] }))

    const restored = await restoreLatest(storage)
    expect(restored?.entry.path).toBe('backup/model.json')
    expect(restored?.initialEpoch).toBe(2)
    expect(weightBytes(restored!.model)).toEqual(weightBytes(model))
    x.dispose()
    y.dispose()
  })
})
