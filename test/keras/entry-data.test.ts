import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { KERAS_META_KEY, kerasModelSerializer, kerasWeightsSerializer } from '../../src/adapters/tfjs/keras/serializers.js'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { INDEX_KEY, type Entry } from '../../src/checkpointer/index-file.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { verifyEntry } from '../../src/checkpointer/index.js'
import { metadataKey } from '../../src/keras/keras-file.js'
import { readH5RootAttribute } from '../../src/keras/h5.js'
import { encodeZip } from '../../src/keras/zip.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage, WriteData, WriteOptions } from '../../src/storage/storage.js'
import { buildTfjs, deterministicModel, maxDiff, predict } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

const FIT = { batchSize: 4, shuffle: false, verbose: 0 } as const

/** Dense 4→8→3, Adam, fixed weights: no randomness, so that every run trains alike. */
const model = (): tfl.LayersModel => deterministicModel(tf.train.adam(0.01))

const weightsOf = (m: tfl.LayersModel): number[][] => m.getWeights().map((w) => Array.from(w.dataSync()))

/**
 * A storage that, once armed, lets the next artifact write through and fails the index write that follows it:
 * a crash between the file overwrite and the index commit, as the process sees it.
 */
const crashBeforeCommit = (inner: Storage) => {
  let armed = false
  let artifactWritten = false
  let dead = false
  const died = () => Promise.reject(new Error('EIO: the process died'))
  const storage: Storage = {
    ...inner,
    write: async (key: string, data: WriteData, options?: WriteOptions) => {
      if (dead) return died()
      if (armed && key === INDEX_KEY && artifactWritten) {
        // The process dies here: this write and every later one fail, as after a kill.
        dead = true
        throw new Error('EIO: injected failure of the index commit')
      }
      const info = await inner.write(key, data, options)
      if (armed && key !== INDEX_KEY) artifactWritten = true
      return info
    },
    remove: (key: string) => (dead ? died() : inner.remove(key)),
  }
  return { storage, arm: () => ((armed = true), (artifactWritten = false)) }
}

const data = () => {
  const xs = Array.from({ length: 16 * 4 }, (_, i) => Math.sin(i * 0.37))
  const ys = Array.from({ length: 16 * 3 }, (_, i) => Math.cos(i * 0.21))
  return { x: tf.tensor2d(xs, [16, 4]), y: tf.tensor2d(ys, [16, 3]) }
}

/** An entry without what a rebuild cannot know the order of: its files, sorted by key. */
const comparable = (e: Entry) => ({ ...e, files: [...e.files].sort((a, b) => a.key.localeCompare(b.key)) })

describe('Keras checkpoints carry their entry data (issue 10 items 1 and 9)', () => {
  let train: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await tf.setBackend('cpu')
    train = data()
  })
  afterAll(() => tf.dispose([train.x, train.y]))

  const cases = [
    { filepath: 'best_model.weights.h5', saveWeightsOnly: true },
    { filepath: 'best_model.keras', saveWeightsOnly: false },
  ] as const

  it.each(cases)(
    '$filepath + saveBestOnly: a crash between the overwrite and the index commit; reopening adopts the new checkpoint',
    async ({ filepath, saveWeightsOnly }) => {
      const inner = memoryStorage()
      const crash = crashBeforeCommit(inner)
      const m = model()
      const seen = new Map<number, number[][]>()
      const options = { filepath, saveWeightsOnly, saveBestOnly: true, monitor: 'loss', log: () => {} } as const
      const fit = m.fit(train.x, train.y, {
        ...FIT,
        epochs: 3,
        callbacks: [
          // First, so that it records epoch 2 before the checkpoint's failure stops the epoch's callbacks.
          new tfl.CustomCallback({
            onEpochBegin: (epoch) => Promise.resolve(void (epoch === 2 && crash.arm())),
            onEpochEnd: (epoch) => Promise.resolve(void seen.set(epoch, weightsOf(m))),
          }),
          modelCheckpoint({ storage: crash.storage, ...options }),
        ],
      })
      await expect(fit).rejects.toThrow(/EIO/)
      const history = (await loadIndex(inner))!.doc
      // What the crash left: the old best moved to `replacing`, its file overwritten by the complete new one.
      expect(history.checkpoints).toEqual([])
      expect(history.replacing.map((e) => [e.path, e.epoch])).toEqual([[filepath, 1]])

      const log: string[] = []
      const reopened = modelCheckpoint({ storage: inner, ...options, log: (l) => log.push(l) })
      const [entry, ...more] = await reopened.list()
      expect(more).toEqual([])
      expect(entry).toMatchObject({ path: filepath, epoch: 2 })
      expect(await verifyEntry(inner, entry!)).toBeNull()
      expect((await loadIndex(inner))!.doc.checkpoints.map((e) => e.epoch)).toEqual([2])
      const fresh = model()
      if (saveWeightsOnly) await loadKerasWeights(fresh, inner, filepath)
      else {
        const restored = await restoreLatest(inner)
        expect(restored!.initialEpoch).toBe(3)
        fresh.setWeights(restored!.model.getWeights())
        restored!.model.dispose()
      }
      expect(weightsOf(fresh)).toEqual(seen.get(2))
      m.dispose()
      fresh.dispose()
    },
    60_000,
  )

  it.each([
    { filepath: 'k/e{epoch}.weights.h5', saveWeightsOnly: true },
    { filepath: 'k/e{epoch}.keras', saveWeightsOnly: false },
  ] as const)(
    '$filepath: a deleted index is rebuilt from the files when a callback opens the folder',
    async ({ filepath, saveWeightsOnly }) => {
      const storage = memoryStorage()
      const options = { filepath, saveWeightsOnly, monitor: 'loss', maxToKeep: 2, log: () => {} } as const
      const m = model()
      await m.fit(train.x, train.y, { ...FIT, epochs: 3, callbacks: [modelCheckpoint({ storage, ...options })] })
      const before = (await loadIndex(storage))!.doc.checkpoints
      expect(before.map((e) => e.epoch)).toEqual([1, 2])

      await storage.remove(INDEX_KEY)
      const log: string[] = []
      const cb = modelCheckpoint({ storage, ...options, log: (l) => log.push(l) })
      expect((await cb.list()).map(comparable)).toEqual(before.map(comparable))
      expect(log.join('\n')).toMatch(/Rebuilt the lost index from 2 checkpoint\(s\)/)
      // Training on resumes the policy where it was: the next epoch is saved.
      await m.fit(train.x, train.y, { ...FIT, epochs: 4, initialEpoch: 3, callbacks: [cb] })
      expect((await loadIndex(storage))!.doc.checkpoints.map((e) => e.epoch)).toEqual([2, 3])
      m.dispose()
    },
  )

  it('scan indexes only files with entry data: plain Keras files and other files are left alone', async () => {
    const storage = memoryStorage()
    const m = model()
    await saveKerasWeights(m, storage, 'plain.weights.h5')
    await saveKerasModel(m, storage, 'plain.keras')
    await storage.write('junk.keras', new Uint8Array([1, 2, 3]))
    await storage.write('junk.weights.h5', new Uint8Array([1, 2, 3]))
    expect(await kerasWeightsSerializer.scan!(storage)).toEqual([])
    expect(await kerasModelSerializer.scan!(storage)).toEqual([])
    // Plain files have no entry data; loading them is unaffected.
    expect(await readH5RootAttribute(await storage.read('plain.weights.h5'), KERAS_META_KEY)).toBeNull()
    expect(await metadataKey(await storage.read('plain.keras'), KERAS_META_KEY)).toBeUndefined()
    ;(await loadKerasModel(storage, 'plain.keras')).model.dispose()
    m.dispose()
  })

  it('scan reads a hostile .keras boundedly: a metadata.json that inflates past its recorded size, or is huge, is not indexed', async () => {
    const storage = memoryStorage()
    const bomb = deflateRawSync(new Uint8Array(64 << 20).fill(32)) // 64 MiB of spaces, deflated to ~64 KiB
    const stored = encodeZip([{ name: 'metadata.json', data: new TextEncoder().encode('{}') }])
    if (E.isLeft(stored)) throw new Error(stored.left.message)
    // Same directory, the entry's data swapped for the bomb with method 8: it claims 2 bytes.
    const zip = patchToDeflate(stored.right, bomb)
    await storage.write('bomb.keras', zip)
    const big = encodeZip([{ name: 'metadata.json', data: new Uint8Array(2 << 20).fill(32) }])
    if (E.isLeft(big)) throw new Error(big.left.message)
    await storage.write('big.keras', big.right)
    const started = performance.now()
    expect(await kerasModelSerializer.scan!(storage)).toEqual([])
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

/** A one-entry STORE zip made into a DEFLATE one whose data is `deflated`, the recorded size and CRC kept. */
const patchToDeflate = (zip: Uint8Array, deflated: Uint8Array): Uint8Array => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const nameLength = view.getUint16(26, true)
  const storedSize = view.getUint32(18, true)
  const localEnd = 30 + nameLength + storedSize
  const central = zip.slice(localEnd)
  const out = new Uint8Array(30 + nameLength + deflated.length + central.length)
  out.set(zip.subarray(0, 30 + nameLength), 0)
  out.set(deflated, 30 + nameLength)
  out.set(central, 30 + nameLength + deflated.length)
  const ov = new DataView(out.buffer)
  ov.setUint16(8, 8, true)
  ov.setUint32(18, deflated.length, true)
  const c = 30 + nameLength + deflated.length
  ov.setUint16(c + 10, 8, true)
  ov.setUint32(c + 20, deflated.length, true)
  ov.setUint32(out.length - 6, c, true) // central directory start
  return out
}

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/entry-data: skipping the Python Keras checks: ${skipReason}`)

describe.skipIf(skipReason !== null)('Keras checkpoints with entry data read in Python Keras 3 exactly as plain files', () => {
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-entry-')
  }, 120_000)
  afterAll(() => closeKerasSession(session))

  it('model.load_weights and keras.models.load_model give the same outputs and optimizer state from both', async () => {
    const { keras, dir, storage } = session!
    const inputs = Array.from({ length: 3 }, (_, i) => [0, 1, 2, 3].map((j) => Math.cos(i + j)))
    const m = buildTfjs('mlp')
    m.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
    const { x, y } = { x: tf.randomNormal([8, 4], 0, 1, 'float32', 1), y: tf.randomNormal([8, 3], 0, 1, 'float32', 2) }
    const callbacks = [
      modelCheckpoint({ storage, filepath: 'ck.weights.h5', saveWeightsOnly: true, log: () => {} }),
      modelCheckpoint({ storage, filepath: 'ck.keras', log: () => {} }),
    ]
    await m.fit(x, y, { ...FIT, epochs: 1, callbacks })
    await saveKerasWeights(m, storage, 'plain.weights.h5')
    await saveKerasModel(m, storage, 'plain.keras')
    expect(await readH5RootAttribute(await storage.read('ck.weights.h5'), KERAS_META_KEY)).toMatch(/"epoch":0/)
    expect(await metadataKey(await storage.read('ck.keras'), KERAS_META_KEY)).toMatchObject({ epoch: 0 })

    const load = async (path: string) => {
      const { id: _, ...reply } = await keras.request<{ id: number; outputs: number[][]; optimizer_vars: number[][] }>('load_weights', {
        arch: 'mlp',
        optimizer: { kind: 'adam', lr: 0.05 },
        path: join(dir, path),
        inputs,
      })
      return reply
    }
    const model = async (path: string) => {
      const { id: _, ...reply } = await keras.request<{ id: number; outputs: number[][]; optimizer: string }>('load_model', {
        path: join(dir, path),
        inputs,
      })
      return reply
    }
    expect(await load('ck.weights.h5')).toEqual(await load('plain.weights.h5'))
    const [ck, plain] = [await model('ck.keras'), await model('plain.keras')]
    expect(ck).toEqual(plain)
    expect(ck.optimizer).toBe('Adam')
    expect(maxDiff(ck.outputs, predict(m, 'mlp', inputs))).toBeLessThan(1e-5)
    tf.dispose([x, y])
    m.dispose()
  }, 60_000)
})
