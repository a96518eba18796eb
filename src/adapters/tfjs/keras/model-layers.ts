import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { TensorSpecs } from '../../../keras/functional.js'
import type { LayerValue } from '../../../keras/layer-weights.js'
import { weightKey } from '../../../keras/weight-key.js'
import type { KerasData } from '../../../keras/weights-file.js'
import type { Tensor, Tensors } from '../../../tensors/tensor.js'
import { suffixOf } from './model-structure.js'
import { isModel, leafLayers } from './nested-layers.js'

/**
 * A tfjs model as the Keras file layer sees it: its layers' weights as a tensor record keyed by `weightKey` (read
 * and written here), and the shape of each layer's output. The layers' descriptions are in model-structure.ts.
 */

/**
 * Every layer weight of the model, keyed by `weightKey` (a nested model's layers by their path, `inner/dense`):
 * float32 copies, or (`copy: false`) the values tfjs
 * gives, which on the cpu backend are the weights' own arrays, for a caller that only reads them at once.
 */
export const layerValues = (model: tfl.LayersModel, copy = true): Tensors => {
  const out = Object.create(null) as Record<string, Tensor>
  for (const { path, layer } of leafLayers(model)) {
    for (const w of layer.weights) {
      const values = w.read().dataSync()
      out[weightKey(path, suffixOf(w.originalName, layer))] = {
        dtype: 'F32',
        shape: w.shape as ReadonlyArray<number>,
        data: values instanceof Float32Array ? (copy ? values.slice() : values) : Float32Array.from(values),
      }
    }
  }
  return out
}

/**
 * Assigns `values` (keyed by `weightKey`, shapes already checked) to the model's layer weights, reading each
 * value just before it is assigned; weights without a value are left as they are.
 */
export const writeLayerValues = async (
  model: tfl.LayersModel,
  values: Readonly<Record<string, LayerValue<() => Promise<KerasData>>>>,
): Promise<void> => {
  for (const { path, layer } of leafLayers(model)) {
    for (const w of layer.weights) {
      const key = weightKey(path, suffixOf(w.originalName, layer))
      const v = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined
      if (v === undefined) continue
      // tfjs keeps the array as the tensor's values (cpu backend): no copy. An int64 (Normalization's count) is held as float32.
      const data = await v.data()
      const t = tf.tensor(data instanceof BigInt64Array ? Float32Array.from(data, Number) : (data as Float32Array), [...v.shape], 'float32')
      try {
        w.write(t)
      } finally {
        t.dispose()
      }
    }
  }
}

/** The shape and dtype of each layer's output in a tfjs model's graph, nested models' included (what Keras 3 writes into its nodes). */
export const tensorSpecsOf = (model: tfl.LayersModel): TensorSpecs => {
  const specs = new Map<string, { shape: ReadonlyArray<number | null>; dtype: string }>()
  const seen = new Set<string>()
  const visit = (t: tfl.SymbolicTensor): void => {
    const layer = t.sourceLayer
    // A shared layer is walked through each of its calls; its first call seen gives its spec.
    if (seen.has(`${t.nodeIndex}:${layer.name}`)) return
    seen.add(`${t.nodeIndex}:${layer.name}`)
    if (!specs.has(layer.name)) specs.set(layer.name, { shape: t.shape, dtype: t.dtype })
    // A nested model's own graph: Keras 3 needs a shape on every tensor of its config too.
    if (isModel(layer)) layer.outputs.forEach(visit)
    const node = layer.inboundNodes[t.nodeIndex]
    for (const x of node?.inputTensors ?? []) visit(x)
  }
  model.outputs.forEach(visit)
  return specs
}

/**
 * The model's `toJSON(null, false)`, with what tfjs 4.22 leaves out of a layer's config although its layer reads it:
 * SeparableConv2D's `depth_multiplier` (which sizes the depthwise kernel), nested models' layers included, and
 * `trainable: false` on a frozen model's layers.
 */
export const topologyOf = (model: tfl.LayersModel): unknown => {
  type Entry = { class_name?: string; config?: Record<string, unknown> & { layers?: Entry[] } }
  const topology = model.toJSON(null, false) as Entry
  // A frozen model (`trainable = false`) freezes its layers' weights in tfjs but leaves their configs trainable, and
  // its own config has no `trainable`: frozen as Keras writes it, the model and every layer in it.
  const freeze = (entries: ReadonlyArray<Entry>): void => {
    for (const l of entries) {
      if (l.config === undefined) continue
      l.config['trainable'] = false
      freeze(l.config.layers ?? [])
    }
  }
  if (!model.trainable) freeze([topology])
  const patch = (entries: ReadonlyArray<Entry>, within: ReadonlyArray<tfl.layers.Layer>): void => {
    for (const l of entries) {
      const layer = within.find((x) => x.name === l.config?.['name'] || x.name === (l as { name?: string }).name)
      if (layer !== undefined && isModel(layer)) {
        if (!layer.trainable) freeze([l])
        patch(l.config?.layers ?? [], layer.layers)
      }
      if (l.class_name !== 'SeparableConv2D' || l.config === undefined) continue
      const m = (layer as unknown as { depthMultiplier?: number } | undefined)?.depthMultiplier
      if (m !== undefined) l.config['depth_multiplier'] = m
    }
  }
  patch(topology.config?.layers ?? [], model.layers)
  return topology
}
