import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { decodeZip } from '../../src/keras/zip-read.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, inputsFor, lcg, maxDiff, predict, randomizeWeights, type Arch } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'
import { expectKerasError } from './support/errors.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/keras-model-interop: skipped: ${skipReason}`)

const TOL = 1e-5
const SEQUENTIAL: ReadonlyArray<Arch> = ['mlp', 'cnn', 'lstm', 'gru']

describe.skipIf(skipReason !== null)('.keras against Python Keras 3', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-model-')
    ;({ keras, dir, storage } = session)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const arch of SEQUENTIAL) {
    it(`${arch}: tfjs → .keras → keras.models.load_model predicts the same`, async () => {
      const model = buildTfjs(arch)
      randomizeWeights(model, 17)
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
      const inputs = inputsFor(arch)
      const expected = predict(model, arch, inputs)
      await saveKerasModel(model, storage, `${arch}.keras`)
      const got = await keras.request<{ outputs: number[][]; optimizer: string; layers: string[] }>('load_model', {
        path: join(dir, `${arch}.keras`),
        inputs,
        dtype: arch === 'lstm' ? 'int32' : 'float32',
      })
      expect(got.optimizer).toBe('Adam')
      expect(got.layers).toEqual(model.layers.map((l) => l.getClassName()))
      expect(maxDiff(got.outputs, expected)).toBeLessThan(TOL)
    })

    it(`${arch}: Keras model.save(.keras) → loadKerasModel predicts the same, optimizer state included`, async () => {
      const inputs = inputsFor(arch)
      const saved = await keras.request<{ outputs: number[][] }>('save_weights', {
        arch,
        path: join(dir, `${arch}-keras.keras`),
        inputs,
        seed: 8,
        train_steps: 2,
        optimizer: { kind: 'adam', lr: 0.01 },
      })
      const { model, optimizer } = await loadKerasModel(storage, `${arch}-keras.keras`)
      expect(optimizer).toEqual({ _tag: 'OptimizerLoaded', optimizer: 'Adam', iterations: 2 })
      expect(maxDiff(predict(model, arch, inputs), saved.outputs)).toBeLessThan(TOL)
      model.dispose()
    })
  }

  it('the archive ckpt writes is a plain zip of the three Keras entries, and Python zipfile agrees (via load_model above)', async () => {
    const model = buildTfjs('mlp')
    await saveKerasModel(model, storage, 'entries.keras')
    const entries = await decodeZip(new Uint8Array(await readFile(join(dir, 'entries.keras'))))
    expect(E.isRight(entries) && entries.right.map((e) => e.name)).toEqual(['metadata.json', 'config.json', 'model.weights.h5'])
  })

  it('a tfjs LSTM with hard_sigmoid (tfjs default) is refused by name: Keras 3 defines hard_sigmoid differently', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.lstm({ units: 2, inputShape: [3, 2], name: 'l', recurrentInitializer: 'glorotUniform' })],
    })
    const err = await saveKerasModel(model, storage, 'hs.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'l', field: 'recurrent_activation', value: 'hard_sigmoid' })
    await expect(storage.stat('hs.keras')).resolves.toBeNull()
  })

  it('a model with several unsupported layers is refused naming every one of them, and no file is written', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 2, inputShape: [3] }),
        tfl.layers.thresholdedReLU({ name: 'thr' }),
        tfl.layers.activation({ activation: 'relu', name: 'act' }),
        tfl.layers.masking({ name: 'mask' }),
      ],
    })
    const err = await saveKerasModel(model, storage, 'several.keras').catch((e: unknown) => e)
    expectKerasError(err, {
      _tag: 'UnsupportedLayer',
      layer: 'thr',
      className: 'ThresholdedReLU',
      layers: [
        { layer: 'thr', className: 'ThresholdedReLU' },
        { layer: 'mask', className: 'Masking' },
      ],
    })
    expect((err as Error).message).toContain("2 layers 'thr' (ThresholdedReLU), 'mask' (Masking) have no Keras 3 mapping")
    await expect(storage.stat('several.keras')).resolves.toBeNull()
  })

  it('paths follow Keras: .keras for whole models', async () => {
    const err = await saveKerasModel(buildTfjs('mlp'), storage, 'model.h5').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'InvalidPath', path: 'model.h5' })
  })

  it('tfjs → .keras → tfjs keeps predictions and the optimizer state exactly', async () => {
    const model = buildTfjs('cnn')
    randomizeWeights(model, 3)
    model.compile({ optimizer: tf.train.rmsprop(0.01, 0.9, 0.3), loss: 'meanSquaredError' })
    const inputs = inputsFor('cnn')
    const r = lcg(1)
    await model.trainOnBatch(tf.tensor(inputs), tf.tensor([0, 1, 2].map(() => [r(), r()])))
    await saveKerasModel(model, storage, 'round.keras')
    const { model: back, optimizer } = await loadKerasModel(storage, 'round.keras')
    expect(optimizer).toMatchObject({ _tag: 'OptimizerLoaded', optimizer: 'RMSProp', iterations: 1 })
    expect(predict(back, 'cnn', inputs)).toEqual(predict(model, 'cnn', inputs))
    const a = await model.optimizer.getWeights()
    const b = await back.optimizer.getWeights()
    expect(b.map((w) => Array.from(w.tensor.dataSync()))).toEqual(a.map((w) => Array.from(w.tensor.dataSync())))
  })
})
