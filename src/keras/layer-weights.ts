import * as E from '#fp-ts/Either.js'
import type { Dtype } from '../tensors/dtype.js'
import type { Tensor, Tensors } from '../tensors/tensor.js'
import { weightsMismatch, type KerasFormatError } from './errors.js'
import type { LayerInfo } from './layers.js'
import { planLayers } from './layer-plan.js'
import type { WeightMismatch } from './weight-mismatch.js'
import { weightKey } from './weight-key.js'
import { groupAt, type KerasArray, type KerasData, type KerasDtype, type VarsGroup, type WeightsFile } from './weights-file.js'

/**
 * A model's layer weights, as a tensor record, to and from the `layers/…` groups of a Keras weights file. Pure.
 * The record is keyed by {@link weightKey}: the layer's name and the weight's suffix (`dense/kernel`).
 */

export { weightKey }

const TO_KERAS: Partial<Record<Dtype, KerasDtype>> = { F32: 'float32', F64: 'float64', I32: 'int32', I64: 'int64' }

/**
 * Variables Keras creates as int64 (`<class>/<suffix>`): Normalization's `count`. tfjs holds them as float32;
 * ckpt writes them as Keras does and reads them back as float32.
 */
const INT64_VARS: ReadonlySet<string> = new Set(['Normalization/count'])
const isInt64Var = (layer: LayerInfo, suffix: string): boolean => INT64_VARS.has(`${layer.className}/${suffix}`)

/** A float tensor's values as the int64 Keras stores. */
const toInt64 = (data: Tensor['data']): BigInt64Array =>
  BigInt64Array.from(Array.from(data as ArrayLike<number>), (x) => BigInt(Math.round(x)))

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((d, i) => d === b[i])

const show = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`

/** The tensor at `key` of a record (own keys only). */
const tensorAt = (values: Tensors, key: string): Tensor | undefined =>
  Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined

/**
 * The weights file of a model named `modelName` with `layers` (in the model's order) holding `values`:
 * the model's top-level `vars` group, then each layer's groups in Keras's layout. No optimizer group.
 * Left, naming the layer, when a layer has no Keras 3 mapping; `WeightsMismatch` when `values` lacks a weight
 * or holds it with another shape or a dtype Keras files do not carry.
 */
export const layerWeightsFile = (
  modelName: string,
  layers: ReadonlyArray<LayerInfo>,
  values: Tensors,
): E.Either<KerasFormatError, WeightsFile> => {
  const plans = planLayers(layers)
  if (E.isLeft(plans)) return plans
  const groups: VarsGroup[] = [{ path: '', name: modelName, vars: [] }]
  const mismatches: WeightMismatch[] = []
  for (const plan of plans.right) {
    for (const g of plan.groups) {
      const vars: KerasArray[] = []
      for (const wi of g.order) {
        const w = plan.layer.weights[wi] as LayerInfo['weights'][number]
        const name = weightKey(plan.layer.name, w.suffix)
        const t = tensorAt(values, name)
        const dtype = t === undefined ? undefined : TO_KERAS[t.dtype]
        if (t === undefined) mismatches.push({ _tag: 'Missing', name })
        else if (dtype === undefined) mismatches.push({ _tag: 'Dtype', name, expected: 'F32', actual: t.dtype })
        else if (!sameShape(t.shape, w.shape)) mismatches.push({ _tag: 'Shape', name, expected: w.shape, actual: t.shape })
        else if (isInt64Var(plan.layer, w.suffix)) vars.push({ dtype: 'int64', shape: w.shape, data: toInt64(t.data) })
        else vars.push({ dtype, shape: w.shape, data: t.data as KerasArray['data'] })
      }
      groups.push({ path: g.path, name: g.name, vars })
    }
  }
  if (mismatches.length > 0)
    return E.left(
      weightsMismatch(
        `(model ${modelName})`,
        mismatches,
        mismatches.map((m) => `${m._tag} '${m.name}'`),
      ),
    )
  return E.right({ groups })
}

const describeArray = <D>(a: KerasArray<D>): string => `${a.dtype}${show(a.shape)}`

/** A layer weight's value from a weights file: float32, its shape, and its data (`D`: the values, or how to read them). */
export interface LayerValue<D = KerasData> {
  readonly dtype: 'F32'
  readonly shape: ReadonlyArray<number>
  readonly data: D
}

/**
 * The value of every layer weight of the model (`layers`, in the model's order) from a Keras weights file
 * (`label` names it; its data may be still unread, `D`), all checked before anything is returned: each planned group present with as many
 * variables as the layer has, each of the layer's shape and float32, and no layer group the model lacks.
 * Left with `WeightsMismatch` listing every disagreement; `UnsupportedConfig` for a GRU bias written with
 * Keras's `reset_after=True` into a GRU built with reset_after false.
 */
export const layerWeightValues = <D = KerasData>(
  layers: ReadonlyArray<LayerInfo>,
  file: WeightsFile<D>,
  label: string,
): E.Either<KerasFormatError, Readonly<Record<string, LayerValue<D>>>> => {
  const plans = planLayers(layers)
  if (E.isLeft(plans)) return plans
  const out = Object.create(null) as Record<string, LayerValue<D>>
  const mismatches: WeightMismatch[] = []
  const details: string[] = []
  const expectedPaths = new Set<string>(['', 'optimizer'])
  for (const plan of plans.right) {
    const layer = plan.layer
    for (const g of plan.groups) {
      expectedPaths.add(g.path)
      const weights = g.order.map((wi) => layer.weights[wi] as LayerInfo['weights'][number])
      const found = groupAt(file, g.path)
      if (found === undefined) {
        if (g.order.length === 0 && plan.groups.length === 1) continue // weightless layer: nothing to load
        for (const w of weights) mismatches.push({ _tag: 'Missing', name: weightKey(layer.name, w.suffix) })
        details.push(`missing '${g.path}/vars' for layer '${layer.name}' (${layer.className})`)
        continue
      }
      if (found.vars.length !== weights.length) {
        weights.slice(found.vars.length).forEach((w) => mismatches.push({ _tag: 'Missing', name: weightKey(layer.name, w.suffix) }))
        found.vars
          .slice(weights.length)
          .forEach((_, k) => mismatches.push({ _tag: 'Unexpected', name: `${g.path}/vars/${weights.length + k}` }))
        details.push(
          `'${g.path}/vars' has ${found.vars.length} variables, layer '${layer.name}' (${layer.className}) has ${weights.length}`,
        )
        continue
      }
      for (const [k, w] of weights.entries()) {
        const a = found.vars[k] as KerasArray<D>
        const name = weightKey(layer.name, w.suffix)
        if (layer.className === 'GRU' && w.suffix === 'bias' && a.shape.length === 2 && w.shape.length === 1) {
          return E.left({
            _tag: 'UnsupportedConfig',
            layer: layer.name,
            field: 'reset_after',
            value: true,
            message: `ckpt/keras: GRU '${layer.name}': the file's bias is ${show(a.shape)}, written by a Keras GRU with reset_after=True; the model's GRU computes reset_after=False (bias ${show(w.shape)}). Load the .keras file (ckpt builds its GRU with reset_after), or build the Keras GRU with reset_after=False`,
          })
        }
        const shapeOk = sameShape(a.shape, w.shape)
        if (!shapeOk) mismatches.push({ _tag: 'Shape', name, expected: w.shape, actual: a.shape })
        const dtypeOk = a.dtype === 'float32' || (a.dtype === 'int64' && isInt64Var(layer, w.suffix))
        if (!dtypeOk) mismatches.push({ _tag: 'Dtype', name, expected: 'float32', actual: a.dtype })
        if (!shapeOk || !dtypeOk) details.push(`'${g.path}/vars/${k}' is ${describeArray(a)}, '${name}' is float32${show(w.shape)}`)
        else out[name] = { dtype: 'F32', shape: a.shape, data: a.data }
      }
    }
  }
  const extra = file.groups.filter((g) => !expectedPaths.has(g.path) && g.path.startsWith('layers/'))
  if (extra.length > 0) {
    for (const g of extra) mismatches.push({ _tag: 'Unexpected', name: g.path })
    details.push(`the file has layers the model lacks: ${extra.map((g) => `'${g.path}'`).join(', ')}`)
  }
  return mismatches.length > 0 ? E.left(weightsMismatch(label, mismatches, details)) : E.right(out)
}
