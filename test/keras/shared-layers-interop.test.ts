import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { loadKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { randomizeWeights } from './support/archs.js'
import { predictAll, type InputSpec } from './support/functional-archs.js'
import { kerasTensorRef, layerNamed, loadEdited } from './support/keras-config-edit.js'
import { roundTripTests, tfjsModelInKeras, within } from './support/model-set-roundtrip.js'
import { kerasUnavailable } from './support/python.js'

/*
 * Shared layers (one layer called several times: one inbound node per call) both ways against Python Keras 3, and
 * the graphs of calls ckpt refuses because tfjs 4.22 cannot rebuild them as Keras numbers them.
 */

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/shared-layers-interop: skipped: ${skipReason}`)

const NAMES = ['siamese', 'repeated']

/** A siamese pair built in tfjs: one Dense called on both inputs, then a merge. */
const tfjsSiamese = (): tfl.LayersModel => {
  const a = tfl.input({ shape: [3], name: 'a' })
  const b = tfl.input({ shape: [3], name: 'b' })
  const shared = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'shared' })
  const ea = shared.apply(a) as tfl.SymbolicTensor
  const eb = shared.apply(b) as tfl.SymbolicTensor
  const twice = shared.apply(tfl.layers.dense({ units: 3, name: 'back' }).apply(ea)) as tfl.SymbolicTensor
  const merged = tfl.layers.concatenate({ name: 'cat' }).apply([ea, eb, twice]) as tfl.SymbolicTensor
  return tfl.model({
    inputs: [a, b],
    outputs: tfl.layers.dense({ units: 2, name: 'out' }).apply(merged) as tfl.SymbolicTensor,
    name: 'pair',
  })
}

const INPUTS: InputSpec[] = [
  {
    data: [
      [0.1, -0.4, 0.7],
      [0.9, 0.2, -0.3],
    ],
    dtype: 'float32',
  },
  {
    data: [
      [-0.5, 0.3, 0.2],
      [0.05, -0.8, 0.6],
    ],
    dtype: 'float32',
  },
]

describe.skipIf(skipReason !== null)('shared layers against Python Keras 3', () => {
  const session = roundTripTests(NAMES, 'ckpt-keras-shared-')

  it('a tfjs model calling one layer three times → .keras and .weights.h5 that Keras loads with the same calls and predictions', async () => {
    const model = tfjsSiamese()
    randomizeWeights(model, 11)
    const expected = predictAll(model, INPUTS)
    const got = await tfjsModelInKeras(session(), model, 'pair', INPUTS)
    expect(got.tree.find((l) => (l as unknown[])[0] === 'shared')).toEqual(['shared', 'Dense', 3, null])
    expect(within(got.keras, expected[0])).toMatchObject({ ok: true })
    expect(within(got.weights, expected[0])).toMatchObject({ ok: true })
    // And back into tfjs: the same three calls, the same predictions.
    const { model: back } = await loadKerasModel(session().storage, 'pair.keras')
    expect(back.getLayer('shared').inboundNodes).toHaveLength(3)
    expect(within(predictAll(back, INPUTS), expected)).toMatchObject({ ok: true })
    back.dispose()
  })
})

describe('shared-layer graphs tfjs cannot rebuild are refused by inbound_nodes (no Python needed)', () => {
  const refusal = (e: E.Either<unknown, unknown>): unknown => (E.isLeft(e) ? e.left : 'loaded')

  it('a reference to a call the layer does not make', async () => {
    const got = await loadEdited(tfjsSiamese(), (c) => {
      layerNamed(c, 'cat').inbound_nodes[0]!.args[0] = [
        kerasTensorRef('shared', 0),
        kerasTensorRef('shared', 1),
        kerasTensorRef('shared', 3),
      ]
    })
    expect(refusal(got)).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'cat', field: 'inbound_nodes', value: ['shared', 3, 0] })
  })

  it('a cycle between calls', async () => {
    const got = await loadEdited(tfjsSiamese(), (c) => {
      // back's call takes shared's third call, which takes back's output.
      layerNamed(c, 'back').inbound_nodes[0]!.args = [kerasTensorRef('shared', 2)]
    })
    expect(refusal(got)).toMatchObject({
      _tag: 'UnsupportedConfig',
      field: 'inbound_nodes',
      message: expect.stringContaining('an acyclic graph'),
    })
  })

  it("a layer's second output (such as an RNN's return_state)", async () => {
    const got = await loadEdited(tfjsSiamese(), (c) => {
      layerNamed(c, 'back').inbound_nodes[0]!.args = [kerasTensorRef('shared', 0, 1)]
    })
    expect(refusal(got)).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'back', field: 'inbound_nodes', value: ['shared', 0, 1] })
  })

  it('call keyword arguments other than training=false and nulls (a mask, training=true)', async () => {
    for (const kwargs of [{ mask: kerasTensorRef('a', 0) }, { training: true }]) {
      const got = await loadEdited(tfjsSiamese(), (c) => {
        layerNamed(c, 'shared').inbound_nodes[1]!.kwargs = kwargs
      })
      expect(refusal(got)).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'shared', field: 'inbound_nodes kwargs', value: kwargs })
    }
  })

  it('dict inputs and outputs', async () => {
    const inputs = await loadEdited(tfjsSiamese(), (c) => {
      c.config.input_layers = { a: ['a', 0, 0], b: ['b', 0, 0] }
    })
    expect(refusal(inputs)).toMatchObject({ _tag: 'UnsupportedConfig', layer: '(model)', field: 'input_layers' })
    const outputs = await loadEdited(tfjsSiamese(), (c) => {
      c.config.output_layers = { y: ['out', 0, 0] }
    })
    expect(refusal(outputs)).toMatchObject({ _tag: 'UnsupportedConfig', layer: '(model)', field: 'output_layers' })
    const args = await loadEdited(tfjsSiamese(), (c) => {
      layerNamed(c, 'cat').inbound_nodes[0]!.args = [{ x: kerasTensorRef('shared', 0) }]
    })
    expect(refusal(args)).toMatchObject({ _tag: 'UnsupportedConfig', layer: 'cat', field: 'inbound_nodes.args' })
  })

  it('a layer whose earlier call takes a later layer: tfjs 4.22 would make its calls in another order', async () => {
    // step(x), then mid(step's call 0), then step(mid) and step(x): tfjs makes step's call 2 before call 1.
    const x = tfl.input({ shape: [3], name: 'x' })
    const step = tfl.layers.dense({ units: 3, name: 'step' })
    const mid = tfl.layers.dense({ units: 3, name: 'mid' })
    const s0 = step.apply(x) as tfl.SymbolicTensor
    const s1 = step.apply(mid.apply(s0)) as tfl.SymbolicTensor
    const s2 = step.apply(x) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: x, outputs: tfl.layers.add({ name: 'sum' }).apply([s1, s2]) as tfl.SymbolicTensor })
    const got = await loadEdited(model, () => {})
    expect(refusal(got)).toMatchObject({
      _tag: 'UnsupportedConfig',
      layer: 'step',
      field: 'inbound_nodes',
      message: expect.stringContaining('would make this call, number 2, as number 1'),
    })
  })
})
