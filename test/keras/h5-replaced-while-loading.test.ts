import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { randomizeWeights } from './support/archs.js'
import { expectKerasError } from './support/errors.js'

// loadKerasWeights reads a file in several reads (its structure, then each weight). A file replaced meanwhile (a
// training run overwriting best_model.weights.h5 in place, say) could hand it pieces of two files: the load
// compares the file's etag before and after, and says so instead of returning as if all were well.

const model = (): tfl.LayersModel =>
  tfl.sequential({ layers: [0, 1].map((i) => tfl.layers.dense({ units: 256, inputShape: i === 0 ? [256] : undefined })) })

describe('a .weights.h5 replaced while loadKerasWeights reads it', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('is StorageFailed naming the file, not a quiet success', async () => {
    const base = memoryStorage()
    const first = model()
    randomizeWeights(first, 1)
    await saveKerasWeights(first, base, 'best.weights.h5')
    const second = model()
    randomizeWeights(second, 2)
    await saveKerasWeights(second, base, 'next.weights.h5')
    const replacement = await base.read('next.weights.h5')

    let reads = 0
    const storage: Storage = {
      ...base,
      read: async (key, range) => {
        const bytes = await base.read(key, range)
        // After the first kernel's bytes, the file is replaced (atomically, as every ckpt write is).
        if (key === 'best.weights.h5' && range !== undefined && range.end - range.start === 256 * 256 * 4 && ++reads === 1)
          await base.write('best.weights.h5', replacement)
        return bytes
      },
    }
    const err = await loadKerasWeights(model(), storage, 'best.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'StorageFailed', key: 'best.weights.h5' })
    expect((err as Error).message).toMatch(/'best.weights.h5' was replaced while it was read/)
    expect(reads).toBe(2) // both kernels were read: the second from the new file
  })

  it('a file left alone loads (the check costs one stat)', async () => {
    const storage = memoryStorage()
    const saved = model()
    randomizeWeights(saved, 3)
    await saveKerasWeights(saved, storage, 'best.weights.h5')
    const loaded = model()
    await loadKerasWeights(loaded, storage, 'best.weights.h5')
    loaded.weights.forEach((w, i) => expect(w.read().dataSync()).toEqual(saved.weights[i]!.read().dataSync()))
  })
})
