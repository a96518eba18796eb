import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { TensorSpecs } from '../../../keras/functional.js'
import { weightKey } from '../../../keras/layer-weights.js'
import type { LayerInfo } from '../../../keras/layers.js'
import type { Tensor, Tensors } from '../../../tensors/tensor.js'

/**
 * A tfjs model as the Keras file layer sees it: its layers as framework-free descriptions, their weights as a
 * tensor record keyed by `weightKey` (read and written here), and the shape of each layer's output.
 */

const suffixOf = (originalName: string): string => originalName.slice(originalName.lastIndexOf('/') + 1)

/** The framework-free description of each layer of a tfjs model (Sequential: no InputLayer, like Keras). */
export const layerInfos = (model: tfl.LayersModel): ReadonlyArray<LayerInfo> =>
  model.layers.map((l) => ({
    className: l.getClassName(),
    name: l.name,
    weights: l.weights.map((w) => ({ suffix: suffixOf(w.originalName), shape: w.shape as ReadonlyArray<number> })),
  }))

/** Every layer weight of the model, as float32 copies keyed by `weightKey`. */
export const layerValues = (model: tfl.LayersModel): Tensors => {
  const out = Object.create(null) as Record<string, Tensor>
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      out[weightKey(layer.name, suffixOf(w.originalName))] = {
        dtype: 'F32',
        shape: w.shape as ReadonlyArray<number>,
        data: Float32Array.from(w.read().dataSync() as Float32Array),
      }
    }
  }
  return out
}

/**
 * Assigns `values` (keyed by `weightKey`, shapes already checked) to the model's layer weights; weights without a
 * value are left as they are.
 */
export const writeLayerValues = (model: tfl.LayersModel, values: Tensors): void => {
  const pairs: Array<[tfl.LayerVariable, Tensor]> = []
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const key = weightKey(layer.name, suffixOf(w.originalName))
      const t = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined
      if (t !== undefined) pairs.push([w, t])
    }
  }
  const tensors = pairs.map(([, t]) => tf.tensor(t.data as Float32Array, [...t.shape], 'float32'))
  try {
    pairs.forEach(([w], i) => w.write(tensors[i] as tf.Tensor))
  } finally {
    tf.dispose(tensors)
  }
}

/** The shape and dtype of each layer's output in a tfjs model's graph (what Keras 3 writes into its nodes). */
export const tensorSpecsOf = (model: tfl.LayersModel): TensorSpecs => {
  const specs = new Map<string, { shape: ReadonlyArray<number | null>; dtype: string }>()
  const visit = (t: tfl.SymbolicTensor): void => {
    const layer = t.sourceLayer
    if (specs.has(layer.name)) return
    specs.set(layer.name, { shape: t.shape, dtype: t.dtype })
    const node = layer.inboundNodes[t.nodeIndex]
    for (const x of node?.inputTensors ?? []) visit(x)
  }
  model.outputs.forEach(visit)
  return specs
}
