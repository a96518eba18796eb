import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'

/**
 * Where each layer's variables go in a Keras 3 weights file, and in which order. Pure.
 *
 * Keras addresses a layer of a Sequential/Functional model as `layers/<snake_case class name>`, made unique
 * with `_1`, `_2`… in layer order (never by the user's layer name), and stores its variables as
 * `vars/0…n-1` in the order trainable-then-non-trainable of creation in `build`. RNN layers keep theirs in
 * the cell: `layers/lstm/vars` is empty and `layers/lstm/cell/vars` holds kernel, recurrent_kernel, bias.
 */

/** What ckpt needs to know of a model layer, independent of the framework. */
export interface LayerInfo {
  readonly className: string
  readonly name: string
  /** The layer's weights: the last part of each weight's name (`kernel`, `moving_mean`…) and its shape. */
  readonly weights: ReadonlyArray<{ readonly suffix: string; readonly shape: ReadonlyArray<number> }>
}

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

interface LayerSpec {
  readonly snake: string
  /** Variable names in Keras's order. */
  readonly vars: ReadonlyArray<string>
  /** RNN layers: the cell's snake name; the variables live in `<layer>/cell/vars`. */
  readonly cell?: string
}

/** The layers ckpt maps to Keras 3, keyed by class name (the same in tfjs and Keras). */
export const KERAS_LAYERS: Readonly<Record<string, LayerSpec>> = {
  InputLayer: { snake: 'input_layer', vars: [] },
  Dense: { snake: 'dense', vars: ['kernel', 'bias'] },
  Conv2D: { snake: 'conv2d', vars: ['kernel', 'bias'] },
  BatchNormalization: { snake: 'batch_normalization', vars: ['gamma', 'beta', 'moving_mean', 'moving_variance'] },
  Embedding: { snake: 'embedding', vars: ['embeddings'] },
  LSTM: { snake: 'lstm', vars: ['kernel', 'recurrent_kernel', 'bias'], cell: 'lstm_cell' },
  GRU: { snake: 'gru', vars: ['kernel', 'recurrent_kernel', 'bias'], cell: 'gru_cell' },
  Dropout: { snake: 'dropout', vars: [] },
  Flatten: { snake: 'flatten', vars: [] },
  Concatenate: { snake: 'concatenate', vars: [] },
  Add: { snake: 'add', vars: [] },
}

export const supportedLayers: ReadonlyArray<string> = Object.keys(KERAS_LAYERS).filter((k) => k !== 'InputLayer')

const unsupported = (layer: LayerInfo, why: string): KerasFormatError => ({
  _tag: 'UnsupportedLayer',
  layer: layer.name,
  className: layer.className,
  message: `ckpt/keras: layer '${layer.name}' (${layer.className}) ${why}. Supported layers: ${supportedLayers.join(', ')}`,
})

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

/**
 * The Keras file location of every layer's variables, in layer order. Left, naming the layer, for a layer
 * class ckpt does not map, or a layer whose variables are not the ones Keras's class creates.
 */
export const planLayers = (layers: ReadonlyArray<LayerInfo>): E.Either<KerasFormatError, ReadonlyArray<LayerPlan>> => {
  const unique = uniqueNamer()
  const out: LayerPlan[] = []
  for (const layer of layers) {
    const spec = Object.prototype.hasOwnProperty.call(KERAS_LAYERS, layer.className) ? KERAS_LAYERS[layer.className] : undefined
    if (spec === undefined) return E.left(unsupported(layer, 'has no Keras 3 mapping in ckpt'))
    const order: number[] = []
    for (const v of spec.vars) {
      const i = layer.weights.findIndex((w) => w.suffix === v)
      if (i >= 0) order.push(i)
    }
    if (order.length !== layer.weights.length) {
      const extra = layer.weights.filter((_, i) => !order.includes(i)).map((w) => w.suffix)
      return E.left(unsupported(layer, `has variables Keras's ${layer.className} does not create: ${extra.join(', ')}`))
    }
    const key = `layers/${unique(spec.snake)}`
    out.push({
      layer,
      groups:
        spec.cell === undefined
          ? [{ path: key, name: layer.name, order }]
          : [
              { path: key, name: layer.name, order: [] },
              { path: `${key}/cell`, name: spec.cell, order },
            ],
    })
  }
  return E.right(out)
}
