import * as tfl from '@tensorflow/tfjs-layers'

/**
 * `Sequential.fit` trains, and hands callbacks, the Sequential's inner model: a functional model named
 * `<name>_model` made of an InputLayer and the Sequential's layers in a chain. The checkpoint formats describe the
 * Sequential instead, through a view of the inner model with the Sequential's name, layers and configuration that
 * shares everything else (weights, optimizer, loss).
 */

const SEQUENTIAL_SUFFIX = '_model'

/** The InputLayer and the chain of an inner model of a Sequential, or null for any other model. */
export const innerSequential = (
  model: tfl.LayersModel,
): { readonly input: tfl.layers.Layer; readonly chain: tfl.layers.Layer[] } | null => {
  if (model instanceof tfl.Sequential) return null
  const [input, ...chain] = model.layers
  const isInner =
    model.name.endsWith(SEQUENTIAL_SUFFIX) &&
    model.inputs.length === 1 &&
    model.outputs.length === 1 &&
    input !== undefined &&
    input.getClassName() === 'InputLayer' &&
    chain.length > 0 &&
    chain.every(
      (layer, i) =>
        layer.inboundNodes.length === 1 &&
        layer.inboundNodes[0]!.inboundLayers.length === 1 &&
        layer.inboundNodes[0]!.inboundLayers[0] === model.layers[i],
    ) &&
    model.outputs[0]!.sourceLayer === chain[chain.length - 1]
  return isInner ? { input, chain } : null
}

/** The inner model seen as its Sequential of `layers`: its name without `_model`, `Sequential`'s class and config. */
export const sequentialViewOf = (model: tfl.LayersModel, layers: ReadonlyArray<tfl.layers.Layer>): tfl.LayersModel => {
  const view = Object.create(model) as tfl.LayersModel
  Object.defineProperties(view, {
    layers: { value: layers },
    name: { value: model.name.slice(0, -SEQUENTIAL_SUFFIX.length) },
    getClassName: { value: () => tfl.Sequential.className },
    getConfig: { value: (): unknown => tfl.Sequential.prototype.getConfig.call(view) },
  })
  return view
}

/**
 * The model as tfjs's own `Sequential` serializes it, for a `model.json` that loads as a `tf.Sequential`. The
 * InputLayer stays when the Sequential was given one (its first other layer then has no input shape, without which
 * tfjs cannot rebuild it), as `Sequential.layers` keeps it. Any other model is returned as it is.
 */
export const tfjsSequentialView = (model: tfl.LayersModel): tfl.LayersModel => {
  const inner = innerSequential(model)
  if (inner === null) return model
  const first = inner.chain[0] as unknown as { readonly batchInputShape?: unknown }
  return sequentialViewOf(model, first.batchInputShape == null ? [inner.input, ...inner.chain] : inner.chain)
}
