import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { recording } from './support/recording-storage.js'
import { BACKENDS, differingBytes, fitWideModel, optimizerBytes, weightBytes } from './support/fixtures.js'

const MiB = 2 ** 20
const WIDTH = 2048 // two 2048 × 2048 float32 kernels: 32 MiB of weights, 96 MiB with Adam's moments

/** The architecture of `fitWideModel`, compiled, with fresh weights: what a restarted script builds. */
const freshWideModel = () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ name: 'a', units: WIDTH, inputShape: [WIDTH], activation: 'relu' }),
      tfl.layers.dense({ name: 'b', units: WIDTH }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  return model
}

describe.each(BACKENDS)('fitResumable resuming a 96 MiB backup on %s', (backend) => {
  let trained: tfl.LayersModel
  const storage = memoryStorage()
  beforeAll(async () => {
    await useBackend(backend)
    // The backup fitResumable itself writes: the whole model at its default path, one kept.
    trained = await fitWideModel(WIDTH, 1, [modelCheckpoint({ storage, filepath: 'backup/model.json', maxToKeep: 1, log: () => {} })])
  }, 240_000)
  afterAll(() => trained.dispose())

  it(
    'fills the given model in place, reading the weights in verified ranges of at most 64 MiB: weights and optimizer state bit-identical; on cpu each kernel is the array its read filled',
    { timeout: 120_000 },
    async () => {
      const r = recording(storage)
      const model = freshWideModel()
      const x = tf.zeros([8, WIDTH])
      try {
        // The backup is of epoch 0 of 1: nothing is left to train, so the model holds exactly what was resumed.
        await fitResumable(model, x, x, { epochs: 1, batchSize: 8, verbose: 0 }, { storage: r.storage, deleteCheckpoint: false })
        expect(differingBytes(Object.entries(weightBytes(model)), Object.entries(weightBytes(trained)))).toEqual([])
        expect(differingBytes(await optimizerBytes(model.optimizer), await optimizerBytes(trained.optimizer))).toEqual([])
        const weightFile = r.reads.find((x) => x.key.endsWith('.bin'))!.key
        expect((await storage.stat(weightFile))!.size).toBeGreaterThan(96 * MiB)
        // The weights file in ranges of at most 64 MiB, never streamed whole into one buffer.
        const weightReads = r.reads.filter((x) => x.key === weightFile)
        expect(weightReads.every((x) => x.via === 'read' && x.bytes <= 64 * MiB)).toBe(true)
        expect(weightReads.length).toBeGreaterThanOrEqual(2)
        if (backend === 'cpu')
          for (const name of ['a/kernel', 'b/kernel']) {
            const kernel = model.weights
              .find((v) => v.originalName === name)!
              .read()
              .dataSync() as Float32Array
            expect(r.buffers.has(kernel.buffer), name).toBe(true)
          }
      } finally {
        x.dispose()
        model.dispose()
      }
    },
  )

  it(
    'a corrupt block in the second group rejects with CorruptCheckpoint before fit runs, the backup kept; the model holds what the first group wrote (docs/tfjs.md)',
    { timeout: 120_000 },
    async () => {
      const copy = memoryStorage()
      for (const key of await storage.list()) await copy.write(key, await storage.read(key))
      const weightFile = (await copy.list()).find((k) => k.endsWith('.bin'))!
      const bytes = await copy.read(weightFile)
      bytes[80 * MiB] = (bytes[80 * MiB]! + 1) & 0xff // in Adam's moments, the second group
      await copy.write(weightFile, bytes)
      const model = freshWideModel()
      const x = tf.zeros([8, WIDTH])
      const epochs: number[] = []
      try {
        const onEpochBegin = async (e: number) => void epochs.push(e)
        const err = await fitResumable(
          model,
          x,
          x,
          { epochs: 2, batchSize: 8, verbose: 0, callbacks: [new tfl.CustomCallback({ onEpochBegin })] },
          {
            storage: copy,
            log: () => {},
          },
        ).catch((e: unknown) => e)
        expect(err).toMatchObject({ _tag: 'CorruptCheckpoint' })
        expect(epochs).toEqual([]) // no training on a half-filled model
        expect(await copy.list()).toContain('backup/model.json')
        // The weights come first (written), the optimizer's state is set only once every group is read (not set).
        expect(differingBytes(Object.entries(weightBytes(model)), Object.entries(weightBytes(trained)))).toEqual([])
        expect((await optimizerBytes(model.optimizer)).length).toBe(1) // its step count only: no moments yet
      } finally {
        x.dispose()
        model.dispose()
      }
    },
  )
})
