/**
 * tfjs 4.22's DepthwiseConv2D ignores its dilationRate (it calls the op without it: "TODO(cais): Add support for
 * dilation"), so a Keras DepthwiseConv2D with dilation_rate=2 and padding='same' loaded into tfjs with the same shape and
 * other numbers. Keras → tfjs it is refused by field; tfjs → Keras the layer is written with dilation_rate 1, what tfjs
 * computes, so Keras predicts what tfjs does. Against Python Keras 3.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKerasModel, saveKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { expectKerasError } from './support/errors.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasSession } from './support/python.js'

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/depthwise-dilation-interop: skipped: ${skipReason}`)

const PYTHON = `
req = request
if req["op"] == "save":
    m = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.DepthwiseConv2D(3, dilation_rate=2, padding="same", name="dw")])
    m.save(req["path"])
else:
    m = keras.models.load_model(req["path"])
    result = np.asarray(m.predict(np.array(req["x"], dtype="float32"), verbose=0)).tolist()
`

describe.skipIf(skipReason !== null)('DepthwiseConv2D dilation_rate against Python Keras 3', () => {
  let session: KerasSession
  const python = async (request: Record<string, unknown>): Promise<unknown> =>
    (await session.keras.request<{ result: unknown }>('script', { code: PYTHON, request })).result
  beforeAll(async () => {
    await tf.setBackend('cpu')
    session = await openKerasSession('ckpt-keras-dw-dilation-')
  }, 300_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  it("keras→tfjs: DepthwiseConv2D(dilation_rate=2, padding='same') is refused by field", async () => {
    await python({ op: 'save', path: `${session.dir}/dw.keras` })
    const err = await loadKerasModel(session.storage, 'dw.keras').catch((e: unknown) => e)
    expectKerasError(err, { _tag: 'UnsupportedConfig', layer: 'dw', field: 'dilation_rate' })
  })

  it("tfjs→keras: depthwiseConv2d({ dilationRate: 2, padding: 'same' }) is written as tfjs computes it, and Keras predicts the same", async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same', inputShape: [6, 6, 2], name: 'dw' })],
    })
    model.setWeights(model.weights.map((w, i) => tf.randomUniform(w.shape as number[], -1, 1, 'float32', i + 1)))
    const x = tf.randomUniform([2, 6, 6, 2], -2, 2, 'float32', 9)
    const expected = Array.from((model.predict(x) as tf.Tensor).dataSync())
    await saveKerasModel(model, session.storage, 'dw-tfjs.keras')
    const got = ((await python({ op: 'predict', path: `${session.dir}/dw-tfjs.keras`, x: x.arraySync() })) as unknown[]).flat(4) as number[]
    expect(got).toHaveLength(expected.length)
    expect(Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-5)
  })
})
