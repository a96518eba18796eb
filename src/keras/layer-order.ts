import * as E from '#fp-ts/Either.js'
import { weightsMismatch, type KerasFormatError } from './errors.js'
import type { OrderedLayer } from './functional.js'
import type { LayerInfo } from './layers.js'
import { planLayers } from './layer-plan.js'
import type { WeightMismatch } from './weight-mismatch.js'
import type { WeightsFile } from './weights-file.js'

/**
 * A weights file's `layers/<key>` groups are named by class and position in `model.layers`. tfjs and Keras 3
 * may list a Functional model's layers in different orders (ties between branches), so ckpt renames the
 * groups by layer name between the two orders instead of trusting them to agree. Pure.
 */

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
    if (groups === undefined || groups.length !== p.groups.length)
      return E.left(
        weightsMismatch('(layer order)', [{ _tag: 'Missing', name: p.layer.name }], [`layer '${p.layer.name}' is not in both layer lists`]),
      )
    p.groups.forEach((g, i) => out.set(g.path, (groups[i] as { path: string }).path))
  }
  return E.right(out)
}

/** The model's layers (`layers`, in the model's own order) in `order` (Keras's `model.layers` order, by name; a nested model's too). */
const infosInOrder = (
  layers: ReadonlyArray<LayerInfo>,
  order: ReadonlyArray<OrderedLayer>,
  label: string,
): E.Either<KerasFormatError, ReadonlyArray<LayerInfo>> => {
  const byName = new Map(layers.map((i) => [i.name, i]))
  const out: LayerInfo[] = []
  for (const l of order) {
    const info = byName.get(l.name)
    if (info === undefined || info.className !== l.className || (info.layers === undefined) !== (l.layers === undefined))
      return E.left(
        weightsMismatch(
          label,
          [{ _tag: 'Unexpected', name: l.name }],
          [`Keras's layer '${l.name}' (${l.className}) is not in the tfjs model`],
        ),
      )
    if (info.layers === undefined || l.layers === undefined) out.push(info)
    else {
      // A nested model: its own layers in its own Keras order.
      const inner = infosInOrder(info.layers, l.layers, label)
      if (E.isLeft(inner)) return inner
      out.push({ ...info, layers: inner.right })
    }
  }
  if (out.length !== layers.length) {
    const missing = layers.filter((i) => !order.some((l) => l.name === i.name)).map((i) => i.name)
    const mismatches = missing.map((name): WeightMismatch => ({ _tag: 'Missing', name }))
    return E.left(weightsMismatch(label, mismatches, [`tfjs layers not in Keras's layer list: ${missing.join(', ')}`]))
  }
  return E.right(out)
}

const renamed = (file: WeightsFile, paths: ReadonlyMap<string, string>): WeightsFile => ({
  groups: file.groups.map((g) => ({ ...g, path: paths.get(g.path) ?? g.path })),
})

/** A weights file written in the model's layer order (`layers`), with its layer groups named as Keras expects. */
export const toKerasOrder = (
  file: WeightsFile,
  layers: ReadonlyArray<LayerInfo>,
  kerasOrder: ReadonlyArray<OrderedLayer>,
): E.Either<KerasFormatError, WeightsFile> => {
  const keras = infosInOrder(layers, kerasOrder, '(new archive)')
  if (E.isLeft(keras)) return keras
  return E.map((paths: ReadonlyMap<string, string>) => renamed(file, paths))(pathMap(layers, keras.right))
}

/** A weights file written by Keras, with its layer groups named for the model's layer order (`layers`). */
export const toModelOrder = (
  file: WeightsFile,
  layers: ReadonlyArray<LayerInfo>,
  kerasOrder: ReadonlyArray<OrderedLayer>,
  label: string,
): E.Either<KerasFormatError, WeightsFile> => {
  const keras = infosInOrder(layers, kerasOrder, label)
  if (E.isLeft(keras)) return keras
  return E.map((paths: ReadonlyMap<string, string>) => renamed(file, paths))(pathMap(keras.right, layers))
}
