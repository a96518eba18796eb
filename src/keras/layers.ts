import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'

/**
 * The layers ckpt maps to Keras 3 and the variables each has, and the check that a model's layers map. Pure.
 * Loaded up front (the check runs at `setModel`), so kept small: where the variables go in a weights file is
 * in layer-plan.ts, the configs in layer-config.ts, both loaded with the rest of the Keras code.
 */

/** What ckpt needs to know of a model layer, independent of the framework. */
export interface LayerInfo {
  readonly className: string
  readonly name: string
  /** The layer's weights: the last part of each weight's name (`kernel`, `moving_mean`…) and its shape. */
  readonly weights: ReadonlyArray<{ readonly suffix: string; readonly shape: ReadonlyArray<number> }>
  /** A wrapper's (Bidirectional) wrapped layer class: it names the wrapper's groups in the weights file. */
  readonly inner?: string
  /** A nested model's layers (its `className` is then Sequential or Functional, and `weights` empty). */
  readonly layers?: ReadonlyArray<LayerInfo>
}

/**
 * The layers ckpt maps to Keras 3 (class names are the same in tfjs and Keras), with their variables: the tfjs
 * weight suffixes in Keras's order, space-separated (kept compact: the check at `setModel` loads this table up
 * front). The config of each is translated in layer-config.ts.
 */
const KB = 'kernel bias'
const RNN = 'kernel recurrent_kernel bias'
const WEIGHTED: Readonly<Record<string, string>> = {
  Dense: KB,
  Conv1D: KB,
  Conv2D: KB,
  Conv3D: KB,
  Conv2DTranspose: KB,
  DepthwiseConv2D: 'depthwise_kernel bias',
  SeparableConv2D: 'depthwise_kernel pointwise_kernel bias',
  BatchNormalization: 'gamma beta moving_mean moving_variance',
  LayerNormalization: 'gamma beta',
  Normalization: 'mean variance count',
  Embedding: 'embeddings',
  PReLU: 'alpha',
  LSTM: RNN,
  GRU: RNN,
  SimpleRNN: RNN,
  MultiHeadAttention: 'query_kernel query_bias key_kernel key_bias value_kernel value_bias attention_output_kernel attention_output_bias',
  Bidirectional: 'forward/' + RNN.replaceAll(' ', ' forward/') + ' backward/' + RNN.replaceAll(' ', ' backward/'),
}
const WEIGHTLESS = new Set(
  (
    'InputLayer Dropout Flatten Concatenate Add Multiply Maximum Minimum Average Activation ReLU LeakyReLU ELU Softmax ' +
    'Rescaling Reshape Permute RepeatVector ZeroPadding2D Cropping2D UpSampling2D MaxPooling1D MaxPooling2D MaxPooling3D ' +
    'AveragePooling1D AveragePooling2D AveragePooling3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalMaxPooling1D ' +
    'GlobalMaxPooling2D'
  ).split(' '),
)

/** A mapped layer's variables, in Keras's order; undefined for a class ckpt does not map. */
export const kerasVars = (className: string): ReadonlyArray<string> | undefined =>
  WEIGHTLESS.has(className)
    ? []
    : Object.prototype.hasOwnProperty.call(WEIGHTED, className)
      ? (WEIGHTED[className] as string).split(' ')
      : undefined

export const supportedLayers: ReadonlyArray<string> = [...Object.keys(WEIGHTED), ...WEIGHTLESS].filter((k) => k !== 'InputLayer')

const unsupported = (layer: LayerInfo, why: string): KerasFormatError => ({
  _tag: 'UnsupportedLayer',
  layer: layer.name,
  className: layer.className,
  message: `ckpt/keras: layer '${layer.name}' (${layer.className}) ${why}. Supported layers: ${supportedLayers.join(', ')}`,
})

/** Every layer of `layers` whose class ckpt does not map, in one error (null when all map). */
export const unsupportedLayers = (
  layers: ReadonlyArray<{ readonly name: string; readonly className: string }>,
): KerasFormatError | null => {
  const refused = layers.filter((l) => kerasVars(l.className) === undefined)
  const first = refused[0]
  if (first === undefined) return null
  return {
    _tag: 'UnsupportedLayer',
    layer: first.name,
    className: first.className,
    layers: refused.map((l) => ({ layer: l.name, className: l.className })),
    message: `ckpt/keras: ${refused.length === 1 ? 'layer' : `${refused.length} layers`} ${refused.map((l) => `'${l.name}' (${l.className})`).join(', ')} ${refused.length === 1 ? 'has' : 'have'} no Keras 3 mapping in ckpt. Supported layers: ${supportedLayers.join(', ')}`,
  }
}

/**
 * Whether every layer maps to Keras 3: its class is one ckpt maps (Left listing every layer that is not), and
 * its variables are the ones Keras's class creates. Right with each layer's variables' indexes, in Keras's order.
 */
export const checkLayers = (layers: ReadonlyArray<LayerInfo>): E.Either<KerasFormatError, ReadonlyArray<ReadonlyArray<number>>> => {
  const refused = unsupportedLayers(layers)
  if (refused !== null) return E.left(refused)
  const out: number[][] = []
  for (const layer of layers) {
    const order: number[] = []
    for (const v of kerasVars(layer.className) as ReadonlyArray<string>) {
      const i = layer.weights.findIndex((w) => w.suffix === v)
      if (i >= 0) order.push(i)
    }
    if (order.length !== layer.weights.length) {
      const extra = layer.weights.filter((_, i) => !order.includes(i)).map((w) => w.suffix)
      return E.left(unsupported(layer, `has variables Keras's ${layer.className} does not create: ${extra.join(', ')}`))
    }
    out.push(order)
  }
  return E.right(out)
}
