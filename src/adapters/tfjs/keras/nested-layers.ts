import type * as tfl from '@tensorflow/tfjs-layers'
import type { KerasFormatError } from '../../../keras/errors.js'
import { unsupportedField } from '../../../keras/layer-config.js'
import type { LayerInfo } from '../../../keras/layers.js'
import { kerasModelClass } from '../../../keras/nested.js'
import { layerInfoOf } from './model-structure.js'

/**
 * A tfjs model's layers as the Keras files see them, models used as layers (src/keras/nested.ts) included: such a
 * model is described with its own layers, and its layers' weights are keyed by their path (`inner/dense`).
 */

/** Whether a tfjs layer is a model (Sequential or Functional) used as a layer. */
export const isModel = (l: tfl.layers.Layer): l is tfl.LayersModel => Array.isArray((l as { layers?: unknown }).layers)

/** A model's layers, without Keras 3's operation nodes (not layers in Keras); a nested model described with its own. */
export const kerasLayerInfos = (model: { readonly layers: ReadonlyArray<tfl.layers.Layer> }): ReadonlyArray<LayerInfo> =>
  model.layers.flatMap((l): LayerInfo[] => {
    if (l.getClassName() === 'KerasOp') return []
    if (!isModel(l)) return [layerInfoOf(l)]
    return [{ className: kerasModelClass(l.getClassName()), name: l.name, weights: [], layers: kerasLayerInfos(l) }]
  })

/** Every layer that holds weights itself (nested models' layers in their place), with its path (`inner/dense`). */
export const leafLayers = (
  model: { readonly layers: ReadonlyArray<tfl.layers.Layer> },
  prefix = '',
): ReadonlyArray<{ readonly path: string; readonly layer: tfl.layers.Layer }> =>
  model.layers.flatMap((layer) =>
    isModel(layer) ? leafLayers(layer, `${prefix}${layer.name}/`) : [{ path: `${prefix}${layer.name}`, layer }],
  )

/**
 * A layer called both inside a nested model and in the outer graph (one tfjs layer at two paths), refused: Keras
 * saves its variables once and rebuilds the two places as two layers (Keras 3.15 cannot load its own such file:
 * "Layer 'd' expected 2 variables, but received 0"). Null when no layer is at two paths.
 */
export const sharedAcrossModels = (model: { readonly layers: ReadonlyArray<tfl.layers.Layer> }): KerasFormatError | null => {
  const paths = new Map<tfl.layers.Layer, string>()
  for (const { path, layer } of leafLayers(model)) {
    const first = paths.get(layer)
    if (first !== undefined)
      return unsupportedField(path, 'inbound_nodes', first, 'a layer called in one model only, not in a nested model and its outer graph')
    paths.set(layer, path)
  }
  return null
}
