import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { randomizeWeights } from './support/archs.js'
import { expectKerasError } from './support/errors.js'

// loadKerasWeights reads a file in several reads (its structure, then each weight) and assigns each weight as it
// arrives, holding one new weight at a time. A read that fails part way leaves the weights assigned before it. A
// file replaced meanwhile (a training run overwriting best_model.weights.h5 in place, say) could hand it pieces of
// two files: the load compares the file's etag before and after, and says so instead of returning as if all were well.

const model = (): tfl.LayersModel =>
  tfl.sequential({ layers: [0, 1].map((i) => tfl.layers.dense({ units: 256, inputShape: i === 0 ? [256] : undefined })) })

describe('a loadKerasWeights that cannot finish', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('a file replaced while it is read: StorageFailed naming the file, not a quiet success', async () => {
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

  it('a read failing part way: StorageFailed, the weights before it assigned, the rest unchanged', async () => {
    const base = memoryStorage()
    const saved = model()
    randomizeWeights(saved, 4)
    await saveKerasWeights(saved, base, 'best.weights.h5')
    let kernels = 0
    const storage: Storage = {
      ...base,
      read: async (key, range) => {
        if (range !== undefined && range.end - range.start === 256 * 256 * 4 && ++kernels === 2) throw new Error('disk unplugged')
        return base.read(key, range)
      },
    }
    const loaded = model()
    const before = loaded.weights.map((w) => w.read().dataSync().slice())
    const err = await loadKerasWeights(loaded, storage, 'best.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'StorageFailed', key: 'best.weights.h5' })
    expect((err as Error).message).toMatch(/disk unplugged/)
    const now = loaded.weights.map((w) => w.read().dataSync())
    // weights in order: kernel 0, bias 0 (the first layer's, assigned), kernel 1 (its read failed), bias 1
    expect(now[0]).toEqual(saved.weights[0]!.read().dataSync())
    expect(now[1]).toEqual(saved.weights[1]!.read().dataSync())
    expect(now[2]).toEqual(before[2])
    expect(now[3]).toEqual(before[3])
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
