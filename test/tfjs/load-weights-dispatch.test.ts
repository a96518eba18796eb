import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { saveKerasModel, saveKerasWeights } from '../../src/adapters/tfjs/keras.js'
import { saveModel } from '../../src/adapters/tfjs/model.js'
import { loadWeights, saveWeights } from '../../src/adapters/tfjs/weights.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { optimizerBytes } from './support/fixtures.js'
import { buildTfjs, inputsFor, maxDiff, predict, randomizeWeights } from '../keras/support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from '../keras/support/python.js'

/**
 * `loadWeights(model, storage, path)` reads the format the path's ending selects, as Keras's `load_weights` does:
 * `.safetensors`, `model.json` (with its weight files), `.weights.h5` and `.keras`, each written by ckpt's own
 * writers and (the Keras formats) by Python Keras 3.
 */

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/tfjs/load-weights-dispatch: Python Keras part skipped: ${skipReason}`)

/** float32 rounding of a few layers computed in another order by TensorFlow. */
const TOL = 1e-5

let dir: string
let storage: Storage
beforeAll(async () => {
  await useBackend('cpu')
  dir = await mkdtemp(join(tmpdir(), 'ckpt-load-weights-'))
  storage = fsStorage(dir, { fsync: false })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The mlp of test/keras (Dense `hidden`, Dropout, Dense `out`), compiled with Adam and trained a step: optimizer state exists. */
const trainedSource = async (): Promise<tfl.LayersModel> => {
  const model = buildTfjs('mlp')
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
  randomizeWeights(model, 3)
  const x = tf.tensor(inputsFor('mlp'))
  const y = tf.zeros([3, 3])
  await model.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0, shuffle: false })
  tf.dispose([x, y])
  return model
}

const writers: ReadonlyArray<readonly [string, (model: tfl.LayersModel, path: string) => Promise<unknown>]> = [
  ['w.safetensors', (m, p) => saveWeights(m, storage, p)],
  ['whole/model.json', (m, p) => saveModel(m, storage, p)],
  ['w.weights.h5', (m, p) => saveKerasWeights(m, storage, p, { includeOptimizer: true })],
  ['w.keras', (m, p) => saveKerasModel(m, storage, p)],
]

describe("loadWeights reads each format by its ending (ckpt's own writers)", () => {
  for (const [path, write] of writers) {
    it(`${path}: a fresh model of the same architecture predicts exactly as the saved one`, async () => {
      const source = await trainedSource()
      const inputs = inputsFor('mlp')
      const expected = predict(source, 'mlp', inputs)
      await write(source, path)
      const target = buildTfjs('mlp')
      expect(maxDiff(predict(target, 'mlp', inputs), expected)).toBeGreaterThan(1e-3) // the load must change something
      await loadWeights(target, storage, path)
      expect(predict(target, 'mlp', inputs)).toEqual(expected)
      source.dispose()
      target.dispose()
    })
  }
})

describe('loadWeights restores the optimizer state of the Keras formats into a model compiled alike', () => {
  for (const path of ['opt.weights.h5', 'opt.keras']) {
    it(`${path}: Adam's step count and slots are the saved ones`, async () => {
      const source = await trainedSource()
      await (path.endsWith('.keras')
        ? saveKerasModel(source, storage, path)
        : saveKerasWeights(source, storage, path, { includeOptimizer: true }))
      const target = buildTfjs('mlp')
      target.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
      await loadWeights(target, storage, path)
      expect(target.optimizer.iterations).toBe(source.optimizer.iterations)
      expect(target.optimizer.iterations).toBeGreaterThan(0)
      // The slots' names differ by tfjs's per-process suffixes (hidden/kernel_1/m); their values are the saved ones.
      const values = async (m: tfl.LayersModel) => (await optimizerBytes(m.optimizer)).map(([, bytes]) => bytes)
      expect(await values(target)).toEqual(await values(source))
      source.dispose()
      target.dispose()
    })
  }
})

describe.skipIf(skipReason !== null)('loadWeights reads the Keras formats Python Keras 3 writes', () => {
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-load-weights-keras-')
    console.info(`test/tfjs/load-weights-dispatch: Keras ${session.version}`)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const arch of ['mlp', 'functional'] as const)
    for (const ending of ['.weights.h5', '.keras']) {
      const name = `${arch}${ending}`
      it(`${name} from Keras's ${ending === '.keras' ? 'model.save' : 'model.save_weights'}: loadWeights predicts as Keras does`, async () => {
        const inputs = inputsFor(arch)
        const saved = await session!.keras.request<{ outputs: number[][] }>('save_weights', {
          arch,
          path: join(session!.dir, name),
          inputs,
          seed: 5,
        })
        const model = buildTfjs(arch)
        expect(maxDiff(predict(model, arch, inputs), saved.outputs)).toBeGreaterThan(1e-3)
        await loadWeights(model, session!.storage, name)
        expect(maxDiff(predict(model, arch, inputs), saved.outputs)).toBeLessThan(TOL)
        model.dispose()
      })
    }
})
