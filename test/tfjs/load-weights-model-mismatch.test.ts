import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { CkptKerasError, saveKerasModel, saveKerasWeights } from '../../src/adapters/tfjs/keras.js'
import { saveModel } from '../../src/adapters/tfjs/model.js'
import { loadWeights, saveWeights } from '../../src/adapters/tfjs/weights.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, randomizeWeights } from '../keras/support/archs.js'
import { weightBytes } from './support/fixtures.js'

/**
 * Whatever the format, loadWeights checks the file's weights against the model before it changes anything: the
 * names and shapes checks of the safetensors loader (`WeightsMismatch`, a `CkptTfjsError`) for `.safetensors` and
 * `model.json`, and the Keras loaders' (`WeightsMismatch`, a `CkptKerasError`) for `.weights.h5` and `.keras`.
 */

/** The mlp of test/keras with a wider hidden layer: the same names, other shapes. */
const wider = (): tfl.LayersModel =>
  tfl.sequential({
    name: 'mlp',
    layers: [
      tfl.layers.dense({ units: 9, activation: 'relu', inputShape: [4], name: 'hidden' }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  })

let storage: Storage
beforeAll(async () => {
  await useBackend('cpu')
  storage = memoryStorage()
  const model = buildTfjs('mlp')
  randomizeWeights(model, 2)
  await saveWeights(model, storage, 'w.safetensors')
  await saveModel(model, storage, 'whole/model.json', { includeOptimizer: false })
  await saveKerasWeights(model, storage, 'w.weights.h5')
  await saveKerasModel(model, storage, 'w.keras')
  model.dispose()
})

const TFJS = /shape of 'hidden\/kernel': model \[4, 9\], file \[4, 8\]/
const KERAS = /'layers\/dense\/vars\/0' is float32\[4, 8\], 'hidden\/kernel' is float32\[4, 9\]/
const cases: ReadonlyArray<readonly [string, typeof CkptTfjsError | typeof CkptKerasError, RegExp]> = [
  ['w.safetensors', CkptTfjsError, TFJS],
  ['whole/model.json', CkptTfjsError, TFJS],
  ['w.weights.h5', CkptKerasError, KERAS],
  ['w.keras', CkptKerasError, KERAS],
]

describe('loadWeights into a model whose shapes differ from the file', () => {
  for (const [path, type, names] of cases) {
    it(`${path}: rejects with WeightsMismatch naming the weight, and changes nothing`, async () => {
      const model = wider()
      const before = weightBytes(model)
      const e = await loadWeights(model, storage, path).then(
        () => null,
        (err: unknown) => err,
      )
      expect(e).toBeInstanceOf(type)
      expect((e as CkptTfjsError)._tag).toBe('WeightsMismatch')
      expect((e as Error).message).toMatch(names)
      expect((e as Error).message).toContain(`the weights in '${path}' do not match the model`)
      expect(weightBytes(model)).toEqual(before)
      model.dispose()
    })
  }
})
