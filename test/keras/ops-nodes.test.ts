import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { kerasLayerOrder, kerasToTfjsConfig, tfjsToKerasConfig } from '../../src/keras/config.js'
import type { Obj } from '../../src/keras/layer-config.js'
import { kerasJson } from '../../src/keras/python-json.js'

/*
 * Keras 3 operation nodes (`x + 3.0` in a Functional model's code) as Keras 3.15 writes them in config.json: class
 * names shared with the Add/Multiply layers, told apart by their module, constants among the call's arguments.
 * The model-set suite (hard_ops) checks the numbers against Python Keras.
 */

const tensor = (layer: string): Obj => ({
  class_name: '__keras_tensor__',
  config: { shape: [null, 3], dtype: 'float32', keras_history: [layer, 0, 0] },
})
const node = (...args: ReadonlyArray<Obj | number | Obj[]>): Obj[] => [{ args: args as Obj[], kwargs: {} }]
const op = (className: string, name: string, ...args: ReadonlyArray<Obj | number>): Obj => ({
  module: 'keras.src.ops.numpy',
  class_name: className,
  config: { name },
  registered_name: className,
  name,
  inbound_nodes: node(...args),
})
const layer = (className: string, name: string, config: Obj, inbound: Obj[]): Obj => ({
  module: 'keras.layers',
  class_name: className,
  config: { name, trainable: true, dtype: 'float32', ...config },
  registered_name: null,
  name,
  inbound_nodes: inbound,
})
const model = (...layers: Obj[]): Obj => ({
  module: 'keras.src.models.functional',
  class_name: 'Functional',
  config: {
    name: 'm',
    trainable: true,
    layers: [
      {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: { batch_shape: [null, 3], dtype: 'float32', name: 'x' },
        name: 'x',
        inbound_nodes: [],
      },
      ...layers,
    ],
    input_layers: ['x', 0, 0],
    output_layers: [(layers[layers.length - 1] as Obj)['name'] as string, 0, 0],
  },
})

// `multiply_1 = Multiply()([x, (x + 3.0) * (1/6)])`, as MobileNetV3's hard swish.
const hardSwish = model(
  op('Add', 'add', tensor('x'), 3.0),
  op('Multiply', 'multiply', tensor('add'), 1 / 6),
  layer('Multiply', 'multiply_1', {}, node([tensor('x'), tensor('multiply')])),
)

describe('Keras 3 operation nodes', () => {
  it('ops.numpy.Add and ops.numpy.Multiply load as KerasOp layers with their constants; the Multiply layer stays a layer', () => {
    const t = kerasToTfjsConfig(hardSwish)
    if (E.isLeft(t)) throw new Error(t.left.message)
    const layers = (t.right['config'] as Obj)['layers'] as Obj[]
    expect(layers.map((l) => [l['name'], l['class_name']])).toEqual([
      ['x', 'InputLayer'],
      ['add', 'KerasOp'],
      ['multiply', 'KerasOp'],
      ['multiply_1', 'Multiply'],
    ])
    expect(layers[1]?.['config']).toMatchObject({ op: 'add', constants: [null, 3] })
    expect(layers[2]?.['inbound_nodes']).toEqual([[['add', 0, 0, {}]]])
  })

  it("are not in Keras's model.layers, so they take no place in the weights file's layer names", () => {
    const order = kerasLayerOrder(hardSwish)
    expect(E.isRight(order) ? order.right.map((l) => l.name) : order.left).toEqual(['x', 'multiply_1'])
  })

  it('are written back as Keras writes them, constants as floats', () => {
    const t = kerasToTfjsConfig(hardSwish)
    if (E.isLeft(t)) throw new Error(t.left.message)
    const back = tfjsToKerasConfig(t.right)
    if (E.isLeft(back)) throw new Error(back.left.message)
    const add = ((back.right['config'] as Obj)['layers'] as Obj[])[1] as Obj
    expect(add).toMatchObject({ module: 'keras.src.ops.numpy', class_name: 'Add', registered_name: 'Add', config: { name: 'add' } })
    expect((add['inbound_nodes'] as Obj[])[0]?.['args']).toEqual([
      { class_name: '__keras_tensor__', config: { shape: null, dtype: null, keras_history: ['x', 0, 0] } },
      3,
    ])
    expect(kerasJson(add['inbound_nodes'])).toContain('"keras_history":["x",0,0]}},3.0]')
  })

  it('an operation ckpt does not map is refused by name, with every other unmapped layer', () => {
    const t = kerasToTfjsConfig(
      model(op('Mean', 'mean', tensor('x'), 0), layer('Lambda', 'lam', {}, node(tensor('mean'))), op('Add', 'add', tensor('lam'), 1)),
    )
    expect(E.isLeft(t) ? t.left : 'accepted').toMatchObject({
      _tag: 'UnsupportedLayer',
      layers: [
        { layer: 'mean', className: 'ops.numpy.Mean' },
        { layer: 'lam', className: 'Lambda' },
      ],
    })
  })
})
