import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { loadModel, saveModel } from '../../src/adapters/tfjs/model.js'
import { assertCheckpointableOptimizer, checkpointableOptimizers } from '../../src/adapters/tfjs/optimizer.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { BACKENDS, dataset, optimizerBytes, tinyModel, weightBytes } from './support/fixtures.js'

/** Each supported optimizer, with non-default hyper-parameters so that their restoration matters too. */
const OPTIMIZERS: ReadonlyArray<readonly [string, () => tf.Optimizer]> = [
  ['sgd', () => tf.train.sgd(0.05)],
  ['momentum', () => tf.train.momentum(0.02, 0.8)],
  ['adam', () => tf.train.adam(0.02, 0.85, 0.99)],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.8, 0.1)],
  ['adagrad', () => tf.train.adagrad(0.1, 0.2)],
  ['adadelta', () => tf.train.adadelta(1, 0.9)],
]

const FIT = { batchSize: 8, shuffle: false, verbose: 0 } as const

describe.each(BACKENDS)('optimizer state on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  /** Trains 4 epochs straight, and 2 + save/load + 2 from the same initial weights. */
  const runs = async (make: () => tf.Optimizer, includeOptimizer: boolean, via: 'ckpt' | 'plain' = 'ckpt') => {
    const straight = tinyModel(make())
    const resumed = tinyModel(make())
    // Fixed initial weights: with random ones, an ulp-level difference in the optimizer state can round away.
    const initial = straight.getWeights().map((w, i) =>
      tf.tensor(
        Array.from({ length: w.size }, (_, j) => 0.3 * Math.sin(i * 7.1 + j * 1.7)),
        w.shape,
      ),
    )
    straight.setWeights(initial)
    resumed.setWeights(initial)
    tf.dispose(initial)
    await straight.fit(data.x, data.y, { ...FIT, epochs: 4 })
    await resumed.fit(data.x, data.y, { ...FIT, epochs: 2 })
    const storage = memoryStorage()
    if (via === 'ckpt') await saveModel(resumed, storage, 'run/model.json', { includeOptimizer })
    else await resumed.save(storageIOHandler(storage, 'run/model.json'), { includeOptimizer })
    const restored =
      via === 'ckpt' ? await loadModel(storage, 'run/model.json') : await tfl.loadLayersModel(storageIOHandler(storage, 'run/model.json'))
    if (!includeOptimizer) restored.compile({ optimizer: make(), loss: 'meanSquaredError' })
    await restored.fit(data.x, data.y, { ...FIT, epochs: 4, initialEpoch: 2 })
    return { straight, resumed, restored }
  }

  it.each(OPTIMIZERS)('%s: continued training after save/load is bit-identical to uninterrupted training', async (_, make) => {
    const { straight, resumed, restored } = await runs(make, true)
    assertCheckpointableOptimizer(straight)
    expect(restored.optimizer.getClassName()).toBe(straight.optimizer.getClassName())
    expect(weightBytes(restored)).toEqual(weightBytes(straight))
    // tfjs names optimizer weights after the per-process unique variable names (`hidden/kernel_1/m`) and
    // restores them by position: compare the values, in order.
    const values = async (m: tfl.LayersModel) => (await optimizerBytes(m.optimizer)).map(([, b]) => b)
    expect(await values(restored)).toEqual(await values(straight))
    for (const m of [straight, resumed, restored]) m.dispose()
  })

  it('plain tfjs save/load recomputes Adam beta powers an ulp off, so training drifts (why saveModel/loadModel exist); its files still load in tfjs', async () => {
    const make = () => tf.train.adam(0.02, 0.85, 0.99)
    const plain = await runs(make, true, 'plain')
    // tfjs's setWeights sets beta1^t with pow(); training keeps a running product: they differ in the last bit.
    const betaPower = (m: tfl.LayersModel) => (m.optimizer as unknown as { accBeta1: tf.Variable }).accBeta1.dataSync()[0]
    expect(betaPower(plain.restored)).not.toBe(betaPower(plain.straight))
    expect(weightBytes(plain.restored)).not.toEqual(weightBytes(plain.straight))
    const storage = memoryStorage()
    await saveModel(plain.straight, storage, 'c/model.json')
    const viaTfjs = await tfl.loadLayersModel(storageIOHandler(storage, 'c/model.json'))
    expect(weightBytes(viaTfjs)).toEqual(weightBytes(plain.straight))
    expect(viaTfjs.getUserDefinedMetadata()).toMatchObject({ ckpt: { optimizerHidden: { optimizer: 'Adam', iterations: 12 } } })
    const viaCkpt = await loadModel(storage, 'c/model.json')
    expect(viaCkpt.getUserDefinedMetadata()).toBeUndefined()
    for (const m of [plain.straight, plain.resumed, plain.restored, viaTfjs, viaCkpt]) m.dispose()
  })

  it('saveModel leaks no tensor across 20 saves, where plain model.save leaks the iter scalar each time', async () => {
    const model = tinyModel(tf.train.adam(0.01))
    await model.trainOnBatch(data.x, data.y)
    const storage = memoryStorage()
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) await saveModel(model, storage, 'l/model.json')
    expect(tf.memory().numTensors).toBe(before)
    expect(Object.prototype.hasOwnProperty.call(model.optimizer, 'getWeights')).toBe(false)
    await model.save(storageIOHandler(storage, 'p/model.json'), { includeOptimizer: true })
    expect(tf.memory().numTensors).toBe(before + 1) // the tfjs leak saveModel avoids
    model.dispose()
  })

  it('the comparison is sensitive: adam resumed without its optimizer state diverges', async () => {
    const { straight, resumed, restored } = await runs(() => tf.train.adam(0.02), false)
    expect(weightBytes(restored)).not.toEqual(weightBytes(straight))
    for (const m of [straight, resumed, restored]) m.dispose()
  })
})

describe('assertCheckpointableOptimizer', () => {
  beforeAll(() => useBackend('cpu'))

  it('refuses adamax (tfjs has no getWeights for it), naming it and listing the supported ones', async () => {
    const model = tinyModel(tf.train.adamax(0.01))
    await expect(model.optimizer.getWeights()).rejects.toThrow(/not implemented/) // the reason is real
    let caught: unknown
    try {
      assertCheckpointableOptimizer(model)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(CkptTfjsError)
    const e = (caught as CkptTfjsError).error
    expect(e._tag).toBe('UnsupportedOptimizer')
    expect((caught as Error).message).toMatch(/optimizer Adamax cannot be checkpointed: tfjs does not implement getWeights/)
    expect((caught as Error).message).toContain('Supported optimizers: sgd, momentum, adam, rmsprop, adagrad, adadelta')
  })

  it('refuses an optimizer ckpt has not verified', () => {
    class Custom extends tf.SGDOptimizer {
      override getClassName(): string {
        return 'MyOptimizer'
      }
    }
    const model = tinyModel(new Custom(0.1))
    expect(() => assertCheckpointableOptimizer(model)).toThrow(/MyOptimizer cannot be checkpointed: ckpt has not verified/)
  })

  it('accepts every verified optimizer and a model without one', () => {
    for (const [name, make] of OPTIMIZERS) {
      const model = tinyModel(make())
      expect(checkpointableOptimizers[model.optimizer.getClassName()], name).toBe(name)
      expect(() => assertCheckpointableOptimizer(model)).not.toThrow()
    }
    expect(() => assertCheckpointableOptimizer(tinyModel())).not.toThrow()
  })
})
