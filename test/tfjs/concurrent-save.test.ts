import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'

beforeAll(async () => {
  await useBackend('cpu')
})

/** `inner`, with `write` replaced. */
const withWrite = (inner: Storage, write: Storage['write']): Storage =>
  new Proxy(inner, {
    get: (target, prop) => {
      if (prop === 'write') return write
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })

describe('a conflicting concurrent save through modelCheckpoint', () => {
  it('surfaces as ConcurrentSave (the storage refused the conditional commit), not as an I/O error', async () => {
    const storage = memoryStorage()
    expect((await storage.open()).ifMatch).toBe(true)
    const other = tinyModel(tf.train.sgd(0.1))
    let raced = false
    // The second epoch's save: once its weight file is written, another writer commits the same model.json.
    const racing = withWrite(storage, async (key, data, options) => {
      if (!raced && key.endsWith('.bin') && (await storage.stat('m/model.json')) !== null) {
        raced = true
        await other.save(storageIOHandler(storage, 'm/model.json'))
      }
      return storage.write(key, data, options)
    })
    const model = tinyModel(tf.train.sgd(0.1))
    const { x, y } = dataset()
    const err = await model
      .fit(x, y, {
        epochs: 3,
        batchSize: 8,
        shuffle: false,
        verbose: 0,
        callbacks: [modelCheckpoint({ storage: racing, filepath: 'm/model.json', monitor: 'loss', log: () => {} })],
      })
      .catch((e: unknown) => e)
    expect(raced).toBe(true)
    expect(err).toBeInstanceOf(CkptError)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError)._tag).toBe('ConcurrentSave')
    expect((err as CkptTfjsError).error).toMatchObject({ _tag: 'ConcurrentSave', path: 'm/model.json' })
    // The other writer's commit stands.
    const loaded = await tfl.loadLayersModel(storageIOHandler(storage, 'm/model.json'))
    expect(weightBytes(loaded)).toEqual(weightBytes(other))
    tf.dispose([x, y])
  })
})
