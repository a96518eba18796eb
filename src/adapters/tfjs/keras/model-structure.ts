import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { LayerInfo } from '../../../keras/layers.js'

/*
 * What the Keras check of a tfjs model reads, before training and without reading a weight: its layers as
 * framework-free descriptions, and its optimizer. Apart from the rest of the Keras mapping (model-layers.ts,
 * optimizer.ts), which the Keras code loads lazily: `modelCheckpoint` runs this check synchronously.
 */

/**
 * The last part of a weight's `originalName` (`dense_1/kernel` → `kernel`); in a Bidirectional layer, with the
 * side it belongs to (`bi/forward_lstm/kernel` → `forward/kernel`).
 */
export const suffixOf = (originalName: string, layer?: tfl.layers.Layer): string => {
  const parts = originalName.split('/')
  const last = parts[parts.length - 1] as string
  if (layer?.getClassName() !== 'Bidirectional') return last
  return `${(parts[parts.length - 2] ?? '').startsWith('backward_') ? 'backward' : 'forward'}/${last}`
}

/** The class of the layer a Bidirectional wraps. */
const innerOf = (l: tfl.layers.Layer): string | undefined =>
  (l as unknown as { forwardLayer?: tfl.layers.Layer }).forwardLayer?.getClassName()

/** The framework-free description of one layer of a tfjs model. */
export const layerInfoOf = (l: tfl.layers.Layer): LayerInfo => {
  const inner = innerOf(l)
  return {
    className: l.getClassName(),
    name: l.name,
    weights: l.weights.map((w) => ({ suffix: suffixOf(w.originalName, l), shape: w.shape as ReadonlyArray<number> })),
    ...(inner === undefined ? {} : { inner }),
  }
}

/**
 * The framework-free description of each layer of a tfjs model (Sequential: no InputLayer, like Keras), without
 * Keras 3's operation nodes (the `KerasOp` layers), which are not layers in Keras, and with a nested model's
 * layers in its place (enough for the check; the Keras files describe nested models with nested-layers.ts).
 */
export const layerInfos = (model: tfl.LayersModel): ReadonlyArray<LayerInfo> =>
  model.layers.flatMap((l) => (l.getClassName() === 'KerasOp' ? [] : 'layers' in l ? layerInfos(l as tfl.LayersModel) : [layerInfoOf(l)]))

/** The model's optimizer, or null without one. */
export const optimizerOf = (model: tfl.LayersModel): tf.Optimizer | null => model.optimizer ?? null
