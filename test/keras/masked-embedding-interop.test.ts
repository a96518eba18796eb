/**
 * Embedding(mask_zero=true) between tfjs and Keras 3, against Python Keras 3: the two frameworks carry the mask
 * differently (Keras 3 passes it through the layers that support masking and drops it at any other; tfjs 4.22's
 * predict hands the last mask it saw to every later layer, and its GlobalAveragePooling1D ignores it). A model where
 * that changes what a layer computes must be refused (by the Embedding's mask_zero), never loaded or written with
 * other numbers; a model where both agree (the mask goes straight to an RNN) still translates, with equal predictions.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'
import { expectKerasError } from './support/errors.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/masked-embedding-interop: skipped: ${skipReason}`)

/** The models, as Python builds them after `keras.Input((5,), dtype='int32')` and an Embedding(7, 3, mask_zero=True). */
const KERAS_MODELS: Readonly<Record<string, { readonly layers: string; readonly agree: boolean }>> = {
  gap: { layers: 'L.GlobalAveragePooling1D()', agree: false },
  conv_lstm: { layers: 'L.Conv1D(3, 2, padding="same"), L.LSTM(2)', agree: false },
  lstm_repeat_lstm: { layers: 'L.LSTM(2), L.RepeatVector(5), L.LSTM(2)', agree: false },
  lstm_dense_softmax: { layers: 'L.LSTM(2), L.Dense(5), L.Softmax()', agree: false },
  lstm: { layers: 'L.LSTM(2)', agree: true },
  bidirectional: { layers: 'L.Bidirectional(L.LSTM(2))', agree: true },
  lstm_seq_dense_lstm: { layers: 'L.LSTM(4, return_sequences=True), L.Dense(3), L.LSTM(2)', agree: true },
}

/** Token ids with padding (0) at the end of one row and at the start of the other. */
const TOKENS = [
  [3, 5, 5, 0, 0],
  [0, 0, 2, 4, 1],
]

const PYTHON = `
from keras import layers as L
req = request
x = np.array(req["tokens"], dtype="int32")
out = {}
for name, layers in req.get("build", {}).items():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(7, 3, mask_zero=True), *eval("[" + layers + "]")])
    model.save(os.path.join(req["dir"], name + ".keras"))
    out[name] = np.asarray(model.predict(x, verbose=0)).tolist()
for name in req.get("load", []):
    out[name] = np.asarray(keras.models.load_model(os.path.join(req["dir"], name + ".keras")).predict(x, verbose=0)).tolist()
result = out
`

const maxDiff = (a: unknown, b: unknown): number => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
  const x = flat(a)
  const y = flat(b)
  return x.length !== y.length ? Infinity : Math.max(0, ...x.map((v, i) => Math.abs(v - (y[i] as number))))
}

describe.skipIf(skipReason !== null)('Embedding(mask_zero=true) against Python Keras 3', () => {
  let session: KerasSession
  let kerasOutputs: Record<string, unknown>
  const python = async (request: Record<string, unknown>): Promise<Record<string, unknown>> =>
    (await session.keras.request<{ result: Record<string, unknown> }>('script', { code: PYTHON, request: { tokens: TOKENS, ...request } }))
      .result
  beforeAll(async () => {
    await tf.setBackend('cpu')
    session = await openKerasSession('ckpt-keras-mask-')
    kerasOutputs = await python({
      dir: session.dir,
      build: Object.fromEntries(Object.entries(KERAS_MODELS).map(([n, m]) => [n, m.layers])),
    })
  }, 300_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  for (const [name, { layers, agree }] of Object.entries(KERAS_MODELS)) {
    it(`keras→tfjs, Embedding(mask_zero=True), ${layers}: ${agree ? 'loads with Keras predictions' : 'refused by mask_zero'}`, async () => {
      const loaded = await loadKerasModel(session.storage, `${name}.keras`).catch((e: unknown) => e)
      if (agree) {
        const { model } = loaded as Awaited<ReturnType<typeof loadKerasModel>>
        expect(maxDiff((model.predict(tf.tensor(TOKENS, undefined, 'int32')) as tf.Tensor).arraySync(), kerasOutputs[name])).toBeLessThan(
          1e-5,
        )
      } else expectKerasError(loaded, { _tag: 'UnsupportedConfig', field: 'mask_zero', value: true })
    })
  }

  it('tfjs→keras: embedding(maskZero) then globalAveragePooling1d is refused by mask_zero, and no file is written', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 5, name: 'tokens' }),
        tfl.layers.globalAveragePooling1d({}),
      ],
    })
    const err = await saveKerasModel(model, session.storage, 'tfjs-gap.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'tokens', field: 'mask_zero', value: true })
    await expect(session.storage.stat('tfjs-gap.keras')).resolves.toBeNull()
  })

  it('tfjs→keras: embedding(maskZero) then lstm is written, and Keras predicts what tfjs does', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 5 }),
        tfl.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
      ],
    })
    await saveKerasModel(model, session.storage, 'tfjs-lstm.keras')
    const expected = (model.predict(tf.tensor(TOKENS, undefined, 'int32')) as tf.Tensor).arraySync()
    expect(maxDiff((await python({ dir: session.dir, load: ['tfjs-lstm'] }))['tfjs-lstm'], expected)).toBeLessThan(1e-5)
  })
})
