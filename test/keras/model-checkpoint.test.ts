import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { CkptKerasError } from '../../src/keras/errors.js'
import { loadKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { loadKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, deterministicModel, fixWeights, maxDiff, predict } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'

const FIT = { batchSize: 4, shuffle: false, verbose: 0 } as const
const quiet = { log: () => {} }

/** The `mlp` architecture of the interop suite (Dense 4→8 relu, Dropout, Dense 3), compiled, with fixed weights. */
const mlp = (optimizer: tf.Optimizer = tf.train.adam(0.05)): tfl.LayersModel => {
  const model = buildTfjs('mlp')
  model.compile({ optimizer, loss: 'meanSquaredError' })
  fixWeights(model)
  return model
}

/** `mlp` without Dropout (whose random masks make two runs differ), for comparing runs. */
const deterministic = (): tfl.LayersModel => deterministicModel(tf.train.adam(0.05))

/** A fixed regression data set for `mlp`, and a validation set. */
const data = (n: number, offset: number) => {
  const xs = Array.from({ length: n * 4 }, (_, i) => Math.sin((i + offset) * 0.37))
  const ys = Array.from({ length: n * 3 }, (_, i) => Math.cos((i + offset) * 0.21))
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor2d(ys, [n, 3]) }
}

/** Every weight's values, by layer order. */
const weightsOf = (model: tfl.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()))

/** Records the model's weights at each epoch end (run after modelCheckpoint in the list). */
const recorder = (model: () => tfl.LayersModel, into: Map<number, number[][]>) =>
  new tfl.CustomCallback({ onEpochEnd: (epoch) => Promise.resolve(void into.set(epoch, weightsOf(model()))) })

const entriesOf = async (storage: Storage) => (await loadIndex(storage))?.doc.checkpoints ?? []

describe('modelCheckpoint with Keras file endings, in model.fit (cpu)', () => {
  let train: { x: tf.Tensor2D; y: tf.Tensor2D }
  let val: { x: tf.Tensor2D; y: tf.Tensor2D }
  let dir: string
  let storage: Storage
  beforeAll(async () => {
    await tf.setBackend('cpu')
    train = data(16, 0)
    val = data(8, 100)
  })
  afterAll(() => tf.dispose([train.x, train.y, val.x, val.y]))
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ckpt-keras-cb-'))
    storage = fsStorage(dir, { fsync: false })
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it("'best.weights.h5' + saveWeightsOnly + saveBestOnly writes the best epoch's weights and optimizer state, which loadKerasWeights loads exactly", async () => {
    const model = mlp()
    const seen = new Map<number, number[][]>()
    const cb = modelCheckpoint({ storage, filepath: 'best.weights.h5', saveWeightsOnly: true, saveBestOnly: true, ...quiet })
    const history = await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 5,
      validationData: [val.x, val.y],
      callbacks: [cb, recorder(() => model, seen)],
    })
    const valLoss = history.history['val_loss'] as number[]
    const best = valLoss.indexOf(Math.min(...valLoss))
    const [entry, ...more] = await entriesOf(storage)
    expect(more).toEqual([])
    expect(entry).toMatchObject({ path: 'best.weights.h5', format: 'keras-weights-h5', epoch: best })
    expect([...(await storage.list())].sort()).toEqual(['best.weights.h5', 'ckpt-index.json'])

    const fresh = mlp()
    expect(weightsOf(fresh)).not.toEqual(seen.get(best))
    const outcome = await loadKerasWeights(fresh, storage, 'best.weights.h5')
    expect(weightsOf(fresh)).toEqual(seen.get(best)) // bit for bit: float32 values written and read as they are
    expect(outcome).toEqual({ _tag: 'OptimizerLoaded', optimizer: 'Adam', iterations: (best + 1) * 4 })
    fresh.dispose()
  })

  it("'checkpoints/model_epoch_{epoch:02d}.keras' writes one archive per epoch that loadKerasModel loads, compiled, with that epoch's weights", async () => {
    const model = mlp()
    const seen = new Map<number, number[][]>()
    await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 3,
      callbacks: [
        modelCheckpoint({ storage, filepath: 'checkpoints/model_epoch_{epoch:02d}.keras', ...quiet }),
        recorder(() => model, seen),
      ],
    })
    const entries = await entriesOf(storage)
    expect(entries.map((e) => [e.path, e.format])).toEqual([1, 2, 3].map((n) => [`checkpoints/model_epoch_0${n}.keras`, 'keras-model']))
    for (const [epoch, e] of entries.entries()) {
      const { model: loaded, optimizer } = await loadKerasModel(storage, e.path)
      expect(weightsOf(loaded)).toEqual(seen.get(epoch))
      expect(optimizer).toEqual({ _tag: 'OptimizerLoaded', optimizer: 'Adam', iterations: (epoch + 1) * 4 })
      expect(loaded.optimizer.getClassName()).toBe('Adam')
      expect(loaded.getClassName()).toBe('Sequential') // written as the user's Sequential, not fit's inner functional model
      loaded.dispose()
    }
  })

  it('restoreLatest resumes from a .keras checkpoint: the model compiled with its state, initialEpoch, and the same policy', async () => {
    const filepath = 'checkpoints/model_epoch_{epoch:02d}.keras'
    const full = deterministic()
    await full.fit(train.x, train.y, { ...FIT, epochs: 5, callbacks: [modelCheckpoint({ storage: memoryStorage(), filepath, ...quiet })] })

    const first = deterministic()
    await first.fit(train.x, train.y, { ...FIT, epochs: 3, callbacks: [modelCheckpoint({ storage, filepath, maxToKeep: 2, ...quiet })] })
    const r = await restoreLatest(storage)
    expect(r).not.toBeNull()
    expect(r!.initialEpoch).toBe(3)
    expect(r!.entry.path).toBe('checkpoints/model_epoch_03.keras')
    expect(weightsOf(r!.model)).toEqual(weightsOf(first))
    await r!.model.fit(train.x, train.y, {
      ...FIT,
      epochs: 5,
      initialEpoch: r!.initialEpoch,
      callbacks: [modelCheckpoint({ storage, filepath, maxToKeep: 2, ...quiet })],
    })
    expect((await entriesOf(storage)).map((e) => e.path)).toEqual(['checkpoints/model_epoch_04.keras', 'checkpoints/model_epoch_05.keras'])
    // Adam's moments and step count come back from the archive; tfjs recomputes beta^t from the step count, so the
    // continued run matches the uninterrupted one to float32 rounding (bitwise resume needs 'model.json').
    expect(maxDiff(weightsOf(r!.model), weightsOf(full))).toBeLessThan(1e-5)
    for (const m of [full, first, r!.model]) m.dispose()
  })

  it('restoreLatest passes over a corrupt .keras checkpoint and restores the previous one', async () => {
    const model = mlp()
    await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 2,
      callbacks: [modelCheckpoint({ storage, filepath: 'm{epoch}.keras', ...quiet })],
    })
    const bytes = await readFile(join(dir, 'm2.keras'))
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff
    await writeFile(join(dir, 'm2.keras'), bytes)
    const r = await restoreLatest(storage)
    expect(r!.entry.path).toBe('m1.keras')
    expect(r!.initialEpoch).toBe(1)
    expect(r!.skipped.map((s) => s.path)).toEqual(['m2.keras'])
    r!.model.dispose()
  })

  it('restoreLatest on a .weights.h5 checkpoint says it holds weights only and points to loadKerasWeights', async () => {
    const model = mlp()
    await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 1,
      callbacks: [modelCheckpoint({ storage, filepath: 'w.weights.h5', saveWeightsOnly: true, ...quiet })],
    })
    const err = await restoreLatest(storage).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError).error).toMatchObject({ _tag: 'WeightsOnlyCheckpoint', path: 'w.weights.h5' })
    expect((err as Error).message).toContain("loadKerasWeights(model, storage, 'w.weights.h5')")
  })

  describe('what has no Keras equivalent is refused when fit hands over the model, before any epoch; nothing is written', () => {
    const refused = async (
      model: tfl.LayersModel,
      x: tf.Tensor,
      y: tf.Tensor,
      filepath: string,
      saveWeightsOnly: boolean,
    ): Promise<CkptKerasError> => {
      let epochs = 0
      const counter = new tfl.CustomCallback({ onEpochBegin: () => Promise.resolve(void epochs++) })
      const err = await model
        .fit(x, y, { ...FIT, epochs: 2, callbacks: [modelCheckpoint({ storage, filepath, saveWeightsOnly, ...quiet }), counter] })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CkptError)
      expect(err).toBeInstanceOf(CkptKerasError)
      expect((err as CkptKerasError)._tag).toBe((err as CkptKerasError).error._tag)
      expect(epochs).toBe(0)
      expect(await storage.list()).toEqual([])
      expect((err as Error).message).toContain(`filepath=${filepath}`)
      return err as CkptKerasError
    }

    it.each([
      ['w{epoch}.weights.h5', true, "'.safetensors'"],
      ['m{epoch}.keras', false, "'model.json'"],
    ] as const)('a layer (ThresholdedReLU, which Keras 3 lacks) with %s', async (filepath, saveWeightsOnly, alternative) => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 4, inputShape: [4] }),
          tfl.layers.thresholdedReLU({ theta: 0.1, name: 'thr' }),
          tfl.layers.dense({ units: 3 }),
        ],
      })
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' })
      const err = await refused(model, train.x, train.y, filepath, saveWeightsOnly)
      expect(err.error).toMatchObject({ _tag: 'UnsupportedLayer', layer: 'thr', className: 'ThresholdedReLU' })
      expect(err.message).toMatch(/Supported layers: Dense, Conv1D, Conv2D/)
      expect(err.message).toContain(alternative)
      model.dispose()
    })

    it.each(['w{epoch}.weights.h5', 'm{epoch}.keras'])('an optimizer (Adadelta) with %s', async (filepath) => {
      const err = await refused(mlp(tf.train.adadelta(0.1)), train.x, train.y, filepath, filepath.endsWith('.weights.h5'))
      expect(err.error).toMatchObject({
        _tag: 'UnsupportedOptimizer',
        optimizer: 'Adadelta',
        supported: ['Adam', 'SGD', 'Momentum', 'RMSProp', 'Adagrad'],
      })
      expect(err.message).toMatch(/supported: Adam, SGD, Momentum, RMSProp, Adagrad/)
    })

    it.each(['w{epoch}.weights.h5', 'm{epoch}.keras'])('a setting Keras cannot continue (momentum 1.5) with %s', async (filepath) => {
      const err = await refused(mlp(tf.train.momentum(0.1, 1.5)), train.x, train.y, filepath, filepath.endsWith('.weights.h5'))
      expect(err.error).toMatchObject({ _tag: 'UnsupportedOptimizer', optimizer: 'Momentum', setting: 'momentum' })
      expect(err.message).toMatch(/momentum=1.5: Keras's SGD takes a momentum between 0 and 1/)
    })

    it('a loss (a function) with .keras', async () => {
      const model = buildTfjs('mlp')
      model.compile({ optimizer: tf.train.adam(0.01), loss: (a: tf.Tensor, b: tf.Tensor) => tf.losses.absoluteDifference(a, b) })
      const err = await refused(model, train.x, train.y, 'm{epoch}.keras', false)
      expect(err.error).toMatchObject({ _tag: 'UnsupportedConfig', field: 'loss' })
      expect(err.message).toMatch(/supported losses: meanSquaredError/)
    })
  })
})

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/model-checkpoint: skipping the Python Keras checks: ${skipReason}`)

describe.skipIf(skipReason !== null)('modelCheckpoint Keras files read by Python Keras 3', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let train: { x: tf.Tensor2D; y: tf.Tensor2D }
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-cb-py-')
    ;({ keras, dir, storage } = session)
    train = data(16, 0)
  }, 120_000)
  afterAll(async () => {
    tf.dispose([train.x, train.y])
    await closeKerasSession(session)
  })

  it('a .weights.h5 checkpoint loads with model.load_weights and a .keras checkpoint with keras.models.load_model; both predict the same', async () => {
    const inputs = Array.from({ length: 3 }, (_, i) => [0, 1, 2, 3].map((j) => Math.cos(i + j)))
    const model = mlp()
    await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 2,
      callbacks: [
        modelCheckpoint({ storage, filepath: 'w/e{epoch}.weights.h5', saveWeightsOnly: true, ...quiet }),
        new tfl.CustomCallback({}),
      ],
    })
    await model.fit(train.x, train.y, {
      ...FIT,
      epochs: 1,
      callbacks: [modelCheckpoint({ storage: fsStorage(join(dir, 'k'), { fsync: false }), filepath: 'm.keras', ...quiet })],
    })
    const expected = predict(model, 'mlp', inputs)
    const weights = await keras.request<{ outputs: number[][] }>('load_weights', {
      arch: 'mlp',
      optimizer: { kind: 'adam', lr: 0.05 },
      path: join(dir, 'w', 'e2.weights.h5'),
      inputs,
    })
    const whole = await keras.request<{ outputs: number[][]; optimizer: string | null; layers: string[] }>('load_model', {
      path: join(dir, 'k', 'm.keras'),
      inputs,
    })
    // The .weights.h5 is epoch 2 of the first fit; the .keras the model after the third epoch.
    expect(maxDiff(whole.outputs, expected)).toBeLessThan(1e-5)
    expect(whole.optimizer).toBe('Adam')
    expect(whole.layers).toEqual(['Dense', 'Dropout', 'Dense'])
    expect(maxDiff(weights.outputs, expected)).toBeGreaterThan(0)
    const atEpoch2 = mlp()
    await loadKerasWeights(atEpoch2, storage, 'w/e2.weights.h5')
    expect(maxDiff(weights.outputs, predict(atEpoch2, 'mlp', inputs))).toBeLessThan(1e-5)
    model.dispose()
    atEpoch2.dispose()
  }, 60_000)
})
