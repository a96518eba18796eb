import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { recording } from './support/recording-storage.js'
import { BACKENDS, differingBytes, fitWideModel, optimizerBytes, weightBytes } from './support/fixtures.js'

const MiB = 2 ** 20
const WIDTH = 2048 // two 2048 × 2048 float32 kernels: 32 MiB of weights, 96 MiB with Adam's moments

describe.each(BACKENDS)('restoreLatest of a 96 MiB model.json checkpoint on %s', (backend) => {
  let model: tfl.LayersModel
  const storage = memoryStorage()
  beforeAll(async () => {
    await useBackend(backend)
    model = await fitWideModel(WIDTH, 1, [modelCheckpoint({ storage, filepath: 'm/model.json', log: () => {} })])
  }, 240_000)
  afterAll(() => model.dispose())

  it(
    'reads at most 64 MiB at once and gives weights and optimizer state bit-identical; on cpu each kernel is the very array its read filled',
    { timeout: 120_000 },
    async () => {
      const r = recording(storage)
      const restored = (await restoreLatest(r.storage))!.model
      try {
        expect(differingBytes(Object.entries(weightBytes(restored)), Object.entries(weightBytes(model)))).toEqual([])
        expect(differingBytes(await optimizerBytes(restored.optimizer), await optimizerBytes(model.optimizer))).toEqual([])
        const weightFile = r.reads.find((x) => x.key.endsWith('.bin'))!.key
        expect((await storage.stat(weightFile))!.size).toBeGreaterThan(96 * MiB)
        expect(Math.max(...r.reads.map((x) => x.bytes))).toBeLessThanOrEqual(64 * MiB)
        if (backend === 'cpu')
          // The cpu backend keeps a tensor's array as given: each kernel is the buffer its verified read filled, not a copy.
          for (const name of ['a/kernel', 'b/kernel']) {
            const kernel = restored.weights
              .find((v) => v.originalName === name)!
              .read()
              .dataSync() as Float32Array
            expect(kernel.length).toBe(WIDTH * WIDTH)
            expect(r.buffers.has(kernel.buffer), name).toBe(true)
          }
      } finally {
        restored.dispose()
      }
    },
  )
})
