import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { differingBytes, fitWideModel, optimizerBytes, weightBytes } from './support/fixtures.js'

const MiB = 2 ** 20
const WIDTH = 2048 // 96 MiB checkpoints with Adam: the restore reads them in groups of at most 64 MiB

// restoreLatest reads a model.json checkpoint group by group, each verified before its tensors are made. A corrupt
// block past the first group is met after part of the model is already filled: that model is thrown away (no tensor
// left behind), the checkpoint is passed over, and the one before is restored exactly.
describe('a corrupt block in a later group of the newest checkpoint', () => {
  beforeAll(() => useBackend('cpu'))

  it('is passed over: the checkpoint before comes back bit-identical, and no tensor is left behind', { timeout: 240_000 }, async () => {
    const storage = memoryStorage()
    let first: { weights: Record<string, Uint8Array>; optimizer: Array<[string, Uint8Array]> } | null = null
    const remember = new (class extends tfl.Callback {
      override async onEpochEnd(epoch: number) {
        if (epoch === 0) first = { weights: weightBytes(this.model), optimizer: await optimizerBytes(this.model.optimizer) }
      }
    })()
    const model = await fitWideModel(WIDTH, 2, [remember, modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', log: () => {} })])
    model.dispose()

    const newest = (await loadIndex(storage))!.doc.checkpoints.at(-1)!
    const shard = newest.files.find((f) => f.key.endsWith('.bin'))!
    expect(shard.size).toBeGreaterThan(80 * MiB)
    const bytes = await storage.read(shard.key)
    bytes[80 * MiB] = (bytes[80 * MiB]! + 1) & 0xff // in Adam's moments, read after the weights
    await storage.write(shard.key, bytes)

    const before = tf.memory().numTensors
    const r = (await restoreLatest(storage))!
    expect(r.entry.path).toBe('e1/model.json')
    expect(r.skipped.map((s) => s.path)).toEqual(['e2/model.json'])
    expect(r.skipped[0]!.reason).toMatch(/fails its checksum in block 80 /)
    expect(differingBytes(Object.entries(weightBytes(r.model)), Object.entries(first!.weights))).toEqual([])
    expect(differingBytes(await optimizerBytes(r.model.optimizer), first!.optimizer)).toEqual([])
    r.model.dispose()
    r.model.optimizer.dispose() // compiled from the training config with an optimizer object: the model does not own it
    expect(tf.memory().numTensors).toBe(before)
  })
})
