import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint, type ModelCheckpointOptions } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { loadModel } from '../../src/adapters/tfjs/model.js'
import { restoreBest, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadWeights } from '../../src/adapters/tfjs/weights.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { decodeSafetensors } from '../../src/tensors/index.js'
import { BACKENDS, dataset, fsTestStorage, tinyModel, weightBytes } from './support/fixtures.js'

const FIT = { batchSize: 8, shuffle: false, verbose: 0 } as const
const quiet = { log: () => {} }

const thrown = (f: () => unknown): CkptTfjsError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(CkptTfjsError)
    return e as CkptTfjsError
  }
  throw new Error('expected a CkptTfjsError, nothing was thrown')
}

const entriesOf = async (storage: Storage) => (await loadIndex(storage))?.doc.checkpoints ?? []

describe('modelCheckpoint: configuration errors are thrown at construction, synchronously', () => {
  const storage = memoryStorage()
  it.each(['model.h5', 'ckpt/e{epoch}.hdf5'])('%s (legacy whole-model HDF5) is refused, listing the supported endings', (filepath) => {
    const e = thrown(() => modelCheckpoint({ storage, filepath }))
    expect(e.error._tag).toBe('UnsupportedFilepath')
    expect(e.message).toContain(`filepath=${filepath}`)
    expect(e.message).toMatch(/does not write legacy HDF5/)
    for (const ending of ["'model.json'", "'.keras'", "'.weights.h5'", "'.safetensors'"]) expect(e.message).toContain(ending)
  })
  it('any other ending lists the supported ones', () => {
    const e = thrown(() => modelCheckpoint({ storage, filepath: 'ckpt/e{epoch}.bin' }))
    expect(e.error._tag).toBe('UnsupportedFilepath')
    expect(e.message).toMatch(
      /filepath=ckpt\/e\{epoch\}\.bin: the ending selects the format; supported endings: 'model.json' .*'.keras' .*'.weights.h5' .*'.safetensors'/,
    )
  })
  it.each(['e{epoch}/model.json', 'ckpt/e{epoch}.keras'])(
    "saveWeightsOnly: true with %s gives Keras's message, naming the option and the value",
    (filepath) => {
      const e = thrown(() => modelCheckpoint({ storage, filepath, saveWeightsOnly: true }))
      expect(e.error._tag).toBe('UnsupportedFilepath')
      expect(e.message).toContain(
        `When using \`saveWeightsOnly: true\` in modelCheckpoint, the filepath provided must end in \`.weights.h5\` (Keras weights format) or \`.safetensors\`. Received: filepath=${filepath}`,
      )
    },
  )
  it.each([false, undefined])(
    "saveWeightsOnly: %s with .weights.h5 gives Keras's message, naming the option and the value",
    (saveWeightsOnly) => {
      const filepath = 'best_model.weights.h5'
      const e = thrown(() => modelCheckpoint({ storage, filepath, ...(saveWeightsOnly === undefined ? {} : { saveWeightsOnly }) }))
      expect(e.error._tag).toBe('UnsupportedFilepath')
      expect(e.message).toContain(
        `When using \`saveWeightsOnly: false\` in modelCheckpoint, the filepath provided must end in \`.keras\` (Keras model format) or \`model.json\` (tfjs layers format). Received: filepath=${filepath}`,
      )
    },
  )
  it('bad options name the option, the value and what is accepted', () => {
    expect(thrown(() => modelCheckpoint({ storage, filepath: 'm/model.json', saveFreq: 0 })).message).toMatch(
      /saveFreq.*0.*'epoch' or a positive integer/,
    )
    expect(
      thrown(() => modelCheckpoint({ storage, filepath: 'm/model.json', save_best_only: true } as unknown as ModelCheckpointOptions))
        .message,
    ).toMatch(/save_best_only.*unknown option/)
    expect(thrown(() => modelCheckpoint({ filepath: 'm/model.json' } as unknown as ModelCheckpointOptions)).message).toMatch(
      /storage: got undefined; expected a Storage/,
    )
    expect(
      thrown(() => modelCheckpoint({ storage, filepath: 'm/model.json', serializer: {} } as unknown as ModelCheckpointOptions)).message,
    ).toMatch(/'serializer' is set by the tfjs adapter/)
    expect(thrown(() => modelCheckpoint(null as unknown as ModelCheckpointOptions)).error._tag).toBe('InvalidOptions')
  })
  it('valid options construct without touching the storage', async () => {
    const s = memoryStorage()
    expect(modelCheckpoint({ storage: s, filepath: 'e{epoch:02d}/model.json' }).format).toBe('tfjs-layers')
    expect(modelCheckpoint({ storage: s, filepath: 'w{epoch}.safetensors', saveWeightsOnly: true }).format).toBe('safetensors')
    expect(modelCheckpoint({ storage: s, filepath: 'best_model.weights.h5', saveWeightsOnly: true }).format).toBe('keras-weights')
    expect(modelCheckpoint({ storage: s, filepath: 'checkpoints/model_epoch_{epoch:02d}.keras' }).format).toBe('keras-model')
    expect(await s.list()).toEqual([])
  })
})

describe.each(BACKENDS)('modelCheckpoint in model.fit on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it('adamax is refused when fit hands over the model, before any epoch runs; nothing is written', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adamax(0.01))
    let epochs = 0
    const counter = new tfl.CustomCallback({ onEpochBegin: async () => void epochs++ })
    const err = await model
      .fit(data.x, data.y, {
        ...FIT,
        epochs: 2,
        callbacks: [modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', ...quiet }), counter],
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError).error._tag).toBe('UnsupportedOptimizer')
    expect((err as Error).message).toMatch(/Adamax cannot be checkpointed/)
    expect(epochs).toBe(0)
    expect(await storage.list()).toEqual([])
    // Weights-only checkpoints need no optimizer state: adamax is fine there.
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 1,
      callbacks: [modelCheckpoint({ storage, filepath: 'w{epoch}.safetensors', ...quiet })],
    })
    expect(await storage.list()).toEqual(['ckpt-index.json', 'w1.safetensors'])
  })

  it('reads logs given as scalar tensors or numbers, disposing none of them', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.1))
    const cb = modelCheckpoint({ storage, filepath: 'e{epoch}-{val_loss:.2f}.safetensors', ...quiet })
    cb.setModel(model)
    await cb.onTrainBegin()
    await cb.onEpochBegin(0)
    const logs = { loss: tf.scalar(0.5), val_loss: tf.scalar(0.25) }
    await cb.onEpochEnd(0, logs)
    expect(logs.loss.isDisposed || logs.val_loss.isDisposed).toBe(false)
    await cb.onEpochBegin(1)
    await cb.onEpochEnd(1, { loss: 0.75, val_loss: 0.125 })
    await cb.onTrainEnd()
    tf.dispose([logs.loss, logs.val_loss])
    const entries = await entriesOf(storage)
    expect(entries.map((e) => [e.path, e.metrics])).toEqual([
      ['e1-0.25.safetensors', { loss: 0.5, val_loss: 0.25 }],
      ['e2-0.12.safetensors', { loss: 0.75, val_loss: 0.125 }],
    ])
  })

  it('integer saveFreq saves at batch ends, 0-based batches restarting each epoch, as Keras: (1,3) (2,2) (3,1) (3,4)', async () => {
    const storage = memoryStorage()
    const four = dataset(32) // 4 batches of 8
    const model = tinyModel(tf.train.sgd(0.05))
    await model.fit(four.x, four.y, {
      ...FIT,
      epochs: 3,
      callbacks: [
        modelCheckpoint({ storage, filepath: 'b/e{epoch}-b{batch}-{loss:.3f}/model.json', saveFreq: 3, monitor: 'loss', ...quiet }),
      ],
    })
    tf.dispose([four.x, four.y])
    const entries = await entriesOf(storage)
    expect(entries.map((e) => [e.epoch, e.batch, e.step])).toEqual([
      [0, 2, 3],
      [1, 1, 6],
      [2, 0, 9],
      [2, 3, 12],
    ])
    for (const e of entries) expect(e.path).toBe(`b/e${e.epoch + 1}-b${e.batch! + 1}-${e.metrics.loss!.toFixed(3)}/model.json`)
    expect(Object.keys(entries[0]!.metrics)).toEqual(['loss'])
    // A mid-epoch checkpoint resumes at its own epoch (run again from its first batch).
    const r = await restoreLatest(storage)
    expect(r!.initialEpoch).toBe(2)
  })

  it('works with model.fitDataset', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    const batches = 3
    const ds = {
      size: batches,
      iterator: async () => {
        let i = 0
        return {
          next: async () =>
            i < batches
              ? { done: false, value: { xs: tf.slice(data.x, 8 * i, 8), ys: tf.slice(data.y, 8 * i++, 8) } }
              : { done: true, value: null },
        }
      },
    }
    await model.fitDataset(ds, {
      epochs: 3,
      verbose: 0,
      callbacks: [modelCheckpoint({ storage, filepath: 'd/e{epoch}/model.json', monitor: 'loss', ...quiet })],
    })
    expect((await entriesOf(storage)).map((e) => [e.path, e.step])).toEqual([
      ['d/e1/model.json', 3],
      ['d/e2/model.json', 6],
      ['d/e3/model.json', 9],
    ])
    const restored = await loadModel(storage, 'd/e3/model.json')
    expect(weightBytes(restored)).toEqual(weightBytes(model))
  })

  it('a plain-object callback listed first hides the model from tfjs callbacks: a clear error says what to do', async () => {
    const model = tinyModel(tf.train.sgd(0.1))
    const cb = modelCheckpoint({ storage: memoryStorage(), filepath: 'e{epoch}/model.json', ...quiet })
    const err = await model
      .fit(data.x, data.y, { ...FIT, epochs: 1, callbacks: [{ onEpochEnd: async () => {} }, cb] as unknown as tfl.Callback[] })
      .catch((e: unknown) => e)
    expect((err as CkptTfjsError).error?._tag).toBe('NoModel')
    expect((err as Error).message).toMatch(/put modelCheckpoint\(\.\.\.\) first, or wrap plain-object callbacks in `new tf.CustomCallback/)
    // Listed first, with a CustomCallback after it, it works.
    const storage = memoryStorage()
    let seen = 0
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 1,
      callbacks: [
        modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', ...quiet }),
        new tfl.CustomCallback({ onEpochEnd: async () => void seen++ }),
      ],
    })
    expect(seen).toBe(1)
    expect((await entriesOf(storage)).length).toBe(1)
  })

  it('weights only: a safetensors file keyed by originalName that loadWeights restores; restoreLatest explains it needs a whole model', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 2,
      callbacks: [modelCheckpoint({ storage, filepath: 'w/e{epoch}.safetensors', saveWeightsOnly: true, ...quiet })],
    })
    const decoded = decodeSafetensors(await storage.read('w/e2.safetensors'))
    expect(decoded._tag).toBe('Right')
    if (decoded._tag === 'Right')
      expect(Object.keys(decoded.right.tensors).sort()).toEqual(['hidden/bias', 'hidden/kernel', 'out/bias', 'out/kernel'])
    const fresh = tinyModel()
    await loadWeights(fresh, storage, 'w/e2.safetensors')
    expect(weightBytes(fresh)).toEqual(weightBytes(model))
    const err = await restoreLatest(storage).catch((e: unknown) => e)
    expect((err as CkptTfjsError).error._tag).toBe('WeightsOnlyCheckpoint')
    expect((err as Error).message).toMatch(/holds weights only.*loadWeights\(model, storage, 'w\/e2.safetensors'\)/)
  })

  it('whole-model files on fs load with plain tfjs (no ckpt code): same weights as the trained model', async () => {
    const { storage, dir, cleanup } = await fsTestStorage()
    try {
      const model = tinyModel(tf.train.rmsprop(0.01))
      await model.fit(data.x, data.y, {
        ...FIT,
        epochs: 2,
        callbacks: [modelCheckpoint({ storage, filepath: 'run/e{epoch:02d}/model.json', ...quiet })],
      })
      const folder = join(dir!, 'run/e02')
      const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON
      const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = await Promise.all(manifest[0]!.paths.map(async (p) => new Uint8Array(await readFile(join(folder, p))).buffer))
        return [manifest.flatMap((g) => g.weights), buffers.length === 1 ? buffers[0]! : buffers]
      })
      const plain = await tfl.loadLayersModel(tf.io.fromMemory(artifacts))
      expect(weightBytes(plain)).toEqual(weightBytes(model))
      expect(plain.optimizer.getClassName()).toBe('RMSProp')
    } finally {
      await cleanup()
    }
  })

  it('restoreLatest/restoreBest: null without checkpoints; best follows the stored monitor and mode; a corrupt newest one is passed over', async () => {
    const storage = memoryStorage()
    expect(await restoreLatest(storage)).toBeNull()
    expect(await restoreBest(storage)).toBeNull()
    const model = tinyModel(tf.train.sgd(0.05))
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 4,
      callbacks: [modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', monitor: 'loss', mode: 'max', ...quiet })],
    })
    const entries = await entriesOf(storage)
    const highest = entries.reduce((a, b) => (b.score! >= a.score! ? b : a))
    const best = await restoreBest(storage)
    expect(best!.entry.path).toBe(highest.path)
    expect(best!.initialEpoch).toBe(highest.epoch + 1)
    expect(best!.policyState).toEqual(highest.policyState)
    const latest = await restoreLatest(storage)
    expect(latest!.entry.path).toBe('e4/model.json')
    expect(weightBytes(latest!.model)).toEqual(weightBytes(model))
    // Corrupt the newest weight file: restoreLatest falls back to the one before and says why.
    const shard = entries.at(-1)!.files.find((f) => f.key.endsWith('.bin'))!.key
    const bytes = await storage.read(shard)
    bytes[0] = (bytes[0]! + 1) & 0xff
    await storage.write(shard, bytes)
    const fallback = await restoreLatest(storage)
    expect(fallback!.entry.path).toBe('e3/model.json')
    expect(fallback!.skipped.map((s) => s.path)).toEqual(['e4/model.json'])
    expect(fallback!.skipped[0]!.reason).toMatch(/fails its checksum/)
  })

  it.each([false, true])('a failing write rejects fit (async: %s), at the next callback or at train end', async (async) => {
    const inner = memoryStorage()
    let writes = 0
    const storage: Storage = {
      ...inner,
      write: async (key, d, o) =>
        key.endsWith('.bin') && ++writes === 2 ? Promise.reject(new Error('disk full')) : inner.write(key, d, o),
    }
    const model = tinyModel(tf.train.sgd(0.05))
    const err = await model
      .fit(data.x, data.y, {
        ...FIT,
        epochs: 3,
        callbacks: [modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', async, ...quiet })],
      })
      .catch((e: unknown) => e)
    expect(String((err as Error)?.message)).toMatch(/disk full/)
    expect((await entriesOf(inner)).map((e) => e.path)).toEqual(['e1/model.json'])
  })
})
