import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { expectKerasError } from './support/errors.js'

/** Each Keras entry point driven into its failures, without Python: every rejection is a CkptError with its tag and fields. */

const dense = (units: ReadonlyArray<number>, optimizer?: tf.Optimizer): tfl.Sequential => {
  const model = tfl.sequential({
    layers: units.map((u, i) => tfl.layers.dense({ units: u, name: `d${i}`, ...(i === 0 ? { inputShape: [3] } : {}) })),
  })
  if (optimizer !== undefined) model.compile({ optimizer, loss: 'meanSquaredError' })
  return model
}

describe('Keras errors', () => {
  beforeAll(() => useBackend('cpu'))

  it('a missing file is StorageFailed, with the key and the storage error as cause', async () => {
    const storage = memoryStorage()
    const w = expectKerasError(await loadKerasWeights(dense([2]), storage, 'none.weights.h5').catch((e: unknown) => e), {
      _tag: 'StorageFailed',
      key: 'none.weights.h5',
    })
    expect(w.cause).toMatchObject({ _tag: 'NotFound', key: 'none.weights.h5' })
    const m = expectKerasError(await loadKerasModel(storage, 'none.keras').catch((e: unknown) => e), {
      _tag: 'StorageFailed',
      key: 'none.keras',
    })
    expect(m.cause._tag).toBe('NotFound')
  })

  it('a write the storage refuses with a plain Error is StorageFailed (IOError)', async () => {
    const storage: Storage = { ...memoryStorage(), write: () => Promise.reject(new Error('disk full')) }
    const w = expectKerasError(await saveKerasWeights(dense([2]), storage, 'a.weights.h5').catch((e: unknown) => e), {
      _tag: 'StorageFailed',
      key: 'a.weights.h5',
    })
    expect(w.cause).toMatchObject({ _tag: 'IOError', key: 'a.weights.h5' })
    expect(w.message).toContain('disk full')
    expectKerasError(await saveKerasModel(dense([2], tf.train.adam(0.01)), storage, 'a.keras').catch((e: unknown) => e), {
      _tag: 'StorageFailed',
      key: 'a.keras',
    })
  })

  it('weights of another shape are WeightsMismatch listing each weight, and the model is unchanged', async () => {
    const storage = memoryStorage()
    await saveKerasWeights(dense([2]), storage, 'two.weights.h5')
    const model = dense([4])
    const before = model.getWeights().map((w) => w.arraySync())
    const err = await loadKerasWeights(model, storage, 'two.weights.h5').catch((e: unknown) => e)
    const m = expectKerasError(err, { _tag: 'WeightsMismatch', path: 'two.weights.h5' })
    expect(m.mismatches).toEqual([
      { _tag: 'Shape', name: 'd0/kernel', expected: [3, 4], actual: [3, 2] },
      { _tag: 'Shape', name: 'd0/bias', expected: [4], actual: [2] },
    ])
    expect(model.getWeights().map((w) => w.arraySync())).toEqual(before)
  })

  it('a file with more layers than the model is WeightsMismatch naming the extra groups', async () => {
    const storage = memoryStorage()
    await saveKerasWeights(dense([2, 2]), storage, 'deep.weights.h5')
    const m = expectKerasError(await loadKerasWeights(dense([2]), storage, 'deep.weights.h5').catch((e: unknown) => e), {
      _tag: 'WeightsMismatch',
      path: 'deep.weights.h5',
    })
    expect(m.mismatches).toEqual([{ _tag: 'Unexpected', name: 'layers/dense_1' }])
  })

  it('an optimizer with no Keras twin is UnsupportedOptimizer, with the supported ones', async () => {
    const err = await saveKerasWeights(dense([2], tf.train.adadelta(0.1)), memoryStorage(), 'o.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, {
      _tag: 'UnsupportedOptimizer',
      optimizer: 'Adadelta',
      supported: ['Adam', 'SGD', 'Momentum', 'RMSProp', 'Adagrad'],
    })
  })

  it('bytes that are not HDF5 or zip are InvalidH5 and InvalidKerasArchive', async () => {
    const storage = memoryStorage()
    await storage.write('bad.weights.h5', Uint8Array.of(1, 2, 3))
    await storage.write('bad.keras', Uint8Array.of(1, 2, 3))
    expectKerasError(await loadKerasWeights(dense([2]), storage, 'bad.weights.h5').catch((e: unknown) => e), {
      _tag: 'InvalidH5',
      path: 'bad.weights.h5',
    })
    expectKerasError(await loadKerasModel(storage, 'bad.keras').catch((e: unknown) => e), {
      _tag: 'InvalidKerasArchive',
      path: 'bad.keras',
    })
  })

  it('a model that throws while being read is ModelFailed, not a plain Error', async () => {
    const model = dense([2])
    model.dispose()
    const err = await saveKerasWeights(model, memoryStorage(), 'gone.weights.h5').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'ModelFailed' })
    expect((err as Error).cause).toBeInstanceOf(Error)
  })
})
