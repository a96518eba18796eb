import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import type { KerasFormatError } from './errors.js'
import type { OrderedLayer, TensorSpecs } from './functional.js'
import { planLayers, type LayerInfo } from './layers.js'
import { layerInfos } from './tfjs-weights.js'
import type { WeightsFile } from './weights-file.js'

/**
 * A weights file's `layers/<key>` groups are named by class and position in `model.layers`. tfjs and Keras 3
 * may list a Functional model's layers in different orders (ties between branches), so ckpt renames the
 * groups by layer name between the two orders instead of trusting them to agree.
 */

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

const mismatch = (label: string, message: string): KerasFormatError => ({
  _tag: 'WeightsMismatch',
  path: label,
  message: `ckpt/keras: the weights in '${label}' do not match the model; nothing was changed: ${message}`,
})

/** Group path → group path, for every layer group of `from` (by layer name) to where `to` puts it. */
const pathMap = (from: ReadonlyArray<LayerInfo>, to: ReadonlyArray<LayerInfo>): E.Either<KerasFormatError, ReadonlyMap<string, string>> => {
  const a = planLayers(from)
  if (E.isLeft(a)) return a
  const b = planLayers(to)
  if (E.isLeft(b)) return b
  const target = new Map(b.right.map((p) => [p.layer.name, p.groups]))
  const out = new Map<string, string>()
  for (const p of a.right) {
    const groups = target.get(p.layer.name)
    if (groups === undefined || groups.length !== p.groups.length) return E.left(mismatch('(layer order)', `layer '${p.layer.name}' is not in both layer lists`))
    p.groups.forEach((g, i) => out.set(g.path, (groups[i] as { path: string }).path))
  }
  return E.right(out)
}

/** The model's layers (their infos) in `order` (Keras's `model.layers` order, by name). */
const infosInOrder = (model: tfl.LayersModel, order: ReadonlyArray<OrderedLayer>, label: string): E.Either<KerasFormatError, ReadonlyArray<LayerInfo>> => {
  const infos = layerInfos(model)
  const byName = new Map(infos.map((i) => [i.name, i]))
  const out: LayerInfo[] = []
  for (const l of order) {
    const info = byName.get(l.name)
    if (info === undefined || info.className !== l.className) return E.left(mismatch(label, `Keras's layer '${l.name}' (${l.className}) is not in the tfjs model`))
    out.push(info)
  }
  if (out.length !== infos.length) {
    const missing = infos.filter((i) => !order.some((l) => l.name === i.name)).map((i) => i.name)
    return E.left(mismatch(label, `tfjs layers not in Keras's layer list: ${missing.join(', ')}`))
  }
  return E.right(out)
}

const renamed = (file: WeightsFile, paths: ReadonlyMap<string, string>): WeightsFile => ({
  groups: file.groups.map((g) => ({ ...g, path: paths.get(g.path) ?? g.path })),
})

/** A weights file written in tfjs's layer order (`kerasWeightsFile`), with its layer groups named as Keras expects. */
export const toKerasOrder = (file: WeightsFile, model: tfl.LayersModel, kerasOrder: ReadonlyArray<OrderedLayer>): E.Either<KerasFormatError, WeightsFile> => {
  const keras = infosInOrder(model, kerasOrder, '(new archive)')
  if (E.isLeft(keras)) return keras
  return E.map((paths: ReadonlyMap<string, string>) => renamed(file, paths))(pathMap(layerInfos(model), keras.right))
}

/** A weights file written by Keras, with its layer groups named for the tfjs model's layer order (`applyKerasWeightsFile`). */
export const toTfjsOrder = (file: WeightsFile, model: tfl.LayersModel, kerasOrder: ReadonlyArray<OrderedLayer>, label: string): E.Either<KerasFormatError, WeightsFile> => {
  const keras = infosInOrder(model, kerasOrder, label)
  if (E.isLeft(keras)) return keras
  return E.map((paths: ReadonlyMap<string, string>) => renamed(file, paths))(pathMap(keras.right, layerInfos(model)))
}
