import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { BACKENDS, bytesOf, dataset, tinyModel, weightBytes } from './support/fixtures.js'

const FIT = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 } as const
const quiet = { log: () => {} }

// fitResumable fills the given model's variables in place (on wasm, over their memory in the heap). A variable may
// share that memory with tensors the caller still uses: weights set from another model's getWeights(), or clones
// kept to reset the model later (a clone shares its source's memory). Those must not change.
describe.each(BACKENDS)('fitResumable into variables that share their memory, on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it('leaves the tensors sharing it as they were, and still fills a variable of its own in place', async () => {
    const storage = memoryStorage()
    const trained = tinyModel(tf.train.adam(0.02))
    await trained.fit(data.x, data.y, {
      ...FIT,
      callbacks: [modelCheckpoint({ storage, filepath: 'backup/model.json', maxToKeep: 1, ...quiet })],
    })

    const other = tinyModel(tf.train.adam(0.02))
    const model = tinyModel(tf.train.adam(0.02))
    model.setWeights(other.getWeights()) // model's variables now share other's memory
    const kept = model.getWeights().map((t) => t.clone())
    const otherBefore = weightBytes(other)
    const keptBefore = kept.map(bytesOf)
    // The backup is of the last epoch: nothing is left to train, so the model holds exactly what was resumed.
    await fitResumable(model, data.x, data.y, FIT, { storage, deleteCheckpoint: false, ...quiet })
    expect(weightBytes(model)).toEqual(weightBytes(trained))
    expect(weightBytes(other)).toEqual(otherBefore)
    expect(kept.map(bytesOf)).toEqual(keptBefore)

    // A model whose variables hold their own memory: on wasm filled over it (the same data), not given new tensors.
    const own = tinyModel(tf.train.adam(0.02))
    const dataIds = own.weights.map((v) => v.read().dataId)
    await fitResumable(own, data.x, data.y, FIT, { storage, deleteCheckpoint: false, ...quiet })
    expect(weightBytes(own)).toEqual(weightBytes(trained))
    if (backend === 'wasm') expect(own.weights.map((v) => v.read().dataId)).toEqual(dataIds)
    tf.dispose(kept)
    for (const m of [trained, other, model, own]) m.dispose()
  })
})
