import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { unsupportedField } from './layer-config.js'
import { checkLayers, type LayerInfo } from './layers.js'

/**
 * Where each layer's variables go in a Keras 3 weights file, and in which order. Pure.
 *
 * Keras addresses a layer of a Sequential/Functional model as `layers/<snake_case class name>`, made unique
 * with `_1`, `_2`… in layer order (never by the user's layer name), and stores its variables as
 * `vars/0…n-1` in the order trainable-then-non-trainable of creation in `build`. RNN layers keep theirs in
 * the cell: `layers/lstm/vars` is empty and `layers/lstm/cell/vars` holds kernel, recurrent_kernel, bias;
 * a Bidirectional layer keeps two RNN layers, `forward_layer` and `backward_layer`.
 */

/** One `vars` group a layer maps to: indexes into `LayerInfo.weights`, in Keras's order. */
export interface GroupPlan {
  readonly path: string
  readonly name: string
  readonly order: ReadonlyArray<number>
}

export interface LayerPlan {
  readonly layer: LayerInfo
  readonly groups: ReadonlyArray<GroupPlan>
}

/** RNN layers keep their variables in the cell. */
const CELLS = new Set(['LSTM', 'GRU', 'SimpleRNN'])

/** Keras's `to_snake_case` (the base of the layer's key in the weights file): `Conv2DTranspose` → `conv2d_transpose`, `ReLU` → `re_lu`. */
export const snakeCase = (className: string): string =>
  className
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()

/** Keras's `_get_unique_name`: the first use keeps the name, later ones get `_1`, `_2`… */
const uniqueNamer = (): ((base: string) => string) => {
  const used = new Map<string, number>()
  return (base) => {
    const n = used.get(base)
    if (n === undefined) {
      used.set(base, 0)
      return base
    }
    used.set(base, n + 1)
    return `${base}_${n + 1}`
  }
}

/** The layers of `layers`, a nested model's in its place, each named by its path (`inner/dense`) to keep names apart. */
const leavesOf = (layers: ReadonlyArray<LayerInfo>, prefix: string): ReadonlyArray<LayerInfo> =>
  layers.flatMap((l) => (l.layers !== undefined ? leavesOf(l.layers, `${prefix}${l.name}/`) : [{ ...l, name: `${prefix}${l.name}` }]))

/**
 * The Keras file location of every layer's variables, in layer order. Left, naming the layer, for a layer
 * class ckpt does not map, or a layer whose variables are not the ones Keras's class creates. A nested model
 * (`layers` set) has an empty group of its own, and its layers' groups under it (`layers/functional/layers/dense`),
 * named in its own order; its layers are named by their path (`inner/dense`), so their weights' keys are too.
 */
export const planLayers = (layers: ReadonlyArray<LayerInfo>): E.Either<KerasFormatError, ReadonlyArray<LayerPlan>> => {
  const leaves = leavesOf(layers, '')
  // tfjs takes '/' in a layer name: a layer named `inner/d` beside a nested model `inner` holding `d` would share
  // its weights' keys (refused: Keras takes no '/' in a name).
  const seen = new Set<string>()
  for (const l of leaves) {
    if (seen.has(l.name))
      return E.left(unsupportedField(l.name, 'name', l.name, "a name that is not also a nested model's layer path (no '/' in layer names)"))
    seen.add(l.name)
  }
  const orders = checkLayers(leaves)
  if (E.isLeft(orders)) return orders
  const out: LayerPlan[] = []
  let next = 0
  const walk = (level: ReadonlyArray<LayerInfo>, keyPrefix: string, namePrefix: string): void => {
    const unique = uniqueNamer()
    for (const layer of level) {
      const key = `${keyPrefix}layers/${unique(snakeCase(layer.className))}`
      if (layer.layers !== undefined) {
        out.push({ layer: { ...layer, name: `${namePrefix}${layer.name}` }, groups: [{ path: key, name: layer.name, order: [] }] })
        walk(layer.layers, `${key}/`, `${namePrefix}${layer.name}/`)
      } else {
        out.push({ layer: leaves[next] as LayerInfo, groups: groupsOf(layer, key, orders.right[next] as number[]) })
        next++
      }
    }
  }
  walk(layers, '', '')
  return E.right(out)
}

/** The `vars` groups of one layer at `key`, with its variables' indexes (`order`, in Keras's order). */
const groupsOf = (layer: LayerInfo, key: string, order: ReadonlyArray<number>): ReadonlyArray<GroupPlan> => {
  if (CELLS.has(layer.className)) {
    const snake = snakeCase(layer.className)
    return [
      { path: key, name: layer.name, order: [] },
      { path: `${key}/cell`, name: `${snake}_cell`, order },
    ]
  }
  if (layer.className === 'MultiHeadAttention') return attentionGroups(layer, key, order)
  if (layer.className !== 'Bidirectional') return [{ path: key, name: layer.name, order }]
  // Keras: `<key>/forward_layer` and `<key>/backward_layer`, each an RNN layer with its cell.
  const snake = snakeCase(layer.inner ?? 'LSTM')
  const half = order.length / 2
  return [
    { path: key, name: layer.name, order: [] },
    ...(['forward', 'backward'] as const).flatMap((side, k) => [
      { path: `${key}/${side}_layer`, name: `${side}_${snake}`, order: [] },
      { path: `${key}/${side}_layer/cell`, name: `${snake}_cell`, order: order.slice(k * half, (k + 1) * half) },
    ]),
  ]
}

/**
 * MultiHeadAttention: Keras keeps its variables in four EinsumDense layers (`query_dense`… named `query`…), beside
 * its weightless softmax and dropout layers; ckpt's tfjs layer names them `query_kernel`, `query_bias`…
 */
const attentionGroups = (layer: LayerInfo, key: string, order: ReadonlyArray<number>): ReadonlyArray<GroupPlan> => [
  { path: key, name: layer.name, order: [] },
  ...(
    [
      ['query', 'query_dense'],
      ['key', 'key_dense'],
      ['value', 'value_dense'],
      ['attention_output', 'output_dense'],
    ] as const
  ).map(([part, group]) => ({
    path: `${key}/${group}`,
    name: part,
    order: order.filter((i) => layer.weights[i]?.suffix.startsWith(`${part}_`) === true),
  })),
  { path: `${key}/_softmax`, name: 'softmax', order: [] },
  { path: `${key}/_dropout_layer`, name: 'dropout', order: [] },
]
