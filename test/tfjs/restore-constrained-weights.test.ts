import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { applyArtifacts, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadWeights, saveWeights } from '../../src/adapters/tfjs/weights.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { BACKENDS, dataset, weightBytes } from './support/fixtures.js'

const FIT = { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 } as const
const quiet = { log: () => {} }

/** A Dense layer with a max-norm constraint on its kernel, which tfjs's training never applies (only `LayerVariable.write` does). */
const constrained = () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'h', units: 6, inputShape: [4], kernelConstraint: tfl.constraints.maxNorm({ maxValue: 0.3 }) }),
      tfl.layers.dense({ name: 'o', units: 1 }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
  return model
}

// A restore puts back the bytes that were saved. tfjs's LayerVariable.write applies a weight's constraint, which
// training never does: through it, a kernel trained past its max norm came back clipped, and training resumed
// from weights an uninterrupted run never had.
describe.each(BACKENDS)('restoring a layer with a weight constraint, on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  let trained: tfl.LayersModel
  const storage = memoryStorage()
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
    trained = constrained()
    await trained.fit(data.x, data.y, {
      ...FIT,
      callbacks: [modelCheckpoint({ storage, filepath: 'backup/model.json', maxToKeep: 1, ...quiet })],
    })
    await saveWeights(trained, storage, 'weights.safetensors')
  })
  afterAll(() => {
    trained.dispose()
    tf.dispose([data.x, data.y])
  })

  it('the premise: training left the kernel past the constraint, which a write through it would clip', () => {
    const norms = tf.tidy(() => tf.norm(trained.getLayer('h').getWeights()[0]!, 'euclidean', 0).dataSync())
    expect(Math.max(...norms)).toBeGreaterThan(0.3)
  })

  it('restoreLatest, fitResumable, applyArtifacts and loadWeights give the saved bytes', async () => {
    const expected = weightBytes(trained)
    const restored = (await restoreLatest(storage))!.model
    expect(weightBytes(restored)).toEqual(expected)
    restored.dispose()

    const resumed = constrained()
    // The backup is of the last epoch: nothing is left to train, so the model holds exactly what was resumed.
    await fitResumable(resumed, data.x, data.y, FIT, { storage, deleteCheckpoint: false, ...quiet })
    expect(weightBytes(resumed)).toEqual(expected)
    resumed.dispose()

    let artifacts: tf.io.ModelArtifacts | null = null
    await trained.save(
      tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    )
    const applied = constrained()
    await applyArtifacts(applied, artifacts!, 'in-memory')
    expect(weightBytes(applied)).toEqual(expected)
    applied.dispose()

    const loaded = constrained()
    await loadWeights(loaded, storage, 'weights.safetensors')
    expect(weightBytes(loaded)).toEqual(expected)
    loaded.dispose()
  })
})
