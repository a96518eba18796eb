import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { orThrow, raise, type KerasFormatError } from './errors.js'
import { planLayers, type LayerInfo, type LayerPlan } from './layers.js'
import { fromKerasOptimizer, toKerasOptimizer, type OptimizerSkip, type TfjsOptimizerState, type TrainableVar } from './optimizer.js'
import { groupAt, sizeOf, type KerasArray, type VarsGroup, type WeightsFile } from './weights-file.js'

/** What happened to the optimizer state on a load. */
export type OptimizerOutcome =
  | { readonly _tag: 'OptimizerLoaded'; readonly optimizer: string; readonly iterations: number }
  | OptimizerSkip
  | { readonly _tag: 'NoOptimizerState'; readonly reason: string }

const suffixOf = (originalName: string): string => originalName.slice(originalName.lastIndexOf('/') + 1)

/** The framework-free description of each layer of a tfjs model (Sequential: no InputLayer, like Keras). */
export const layerInfos = (model: tfl.LayersModel): ReadonlyArray<LayerInfo> =>
  model.layers.map((l) => ({
    className: l.getClassName(),
    name: l.name,
    weights: l.weights.map((w) => ({ suffix: suffixOf(w.originalName), shape: w.shape as ReadonlyArray<number> })),
  }))

const trainableVars = (model: tfl.LayersModel): ReadonlyArray<TrainableVar> =>
  model.trainableWeights.map((w) => ({ name: w.name, shape: w.shape as ReadonlyArray<number> }))

/** The state of the model's optimizer as data, or null without one. Reads the slots (`getWeights`). */
const optimizerState = async (optimizer: tf.Optimizer): Promise<TfjsOptimizerState> => {
  const weights = await optimizer.getWeights()
  const slots = new Map<string, Float32Array>()
  for (const w of weights.slice(1)) slots.set(w.name, (await w.tensor.data()) as Float32Array)
  const o = optimizer as unknown as { learningRate?: number; momentum?: number; centered?: boolean }
  return {
    className: optimizer.getClassName(),
    learningRate: o.learningRate ?? 0,
    momentum: o.momentum ?? 0,
    centered: o.centered ?? false,
    iterations: (optimizer as unknown as { iterations_?: number }).iterations_ ?? 0,
    slots,
  }
}

export interface KerasWeightsOptions {
  /** Write the optimizer's state as `optimizer/vars` (Adam, SGD, Momentum, RMSProp). Default `true`. */
  readonly includeOptimizer?: boolean
}

/**
 * The model's weights as a Keras 3 weights file (groups in Keras's layout). Left, naming the layer or
 * optimizer, when something has no exact Keras equivalent; with `includeOptimizer` an unmappable optimizer is an error.
 */
export const kerasWeightsFile = async (model: tfl.LayersModel, options: KerasWeightsOptions = {}): Promise<E.Either<KerasFormatError, WeightsFile>> => {
  const plans = planLayers(layerInfos(model))
  if (E.isLeft(plans)) return plans
  const groups: VarsGroup[] = [{ path: '', name: model.name, vars: [] }]
  for (const [li, plan] of plans.right.entries()) {
    const layer = model.layers[li] as tfl.layers.Layer
    for (const g of plan.groups) {
      const vars: KerasArray[] = g.order.map((wi) => {
        const w = layer.weights[wi] as tfl.LayerVariable
        return { dtype: 'float32', shape: w.shape as ReadonlyArray<number>, data: Float32Array.from(w.read().dataSync() as Float32Array) }
      })
      groups.push({ path: g.path, name: g.name, vars })
    }
  }
  const optimizer = model.optimizer as tf.Optimizer | undefined
  if ((options.includeOptimizer ?? true) && optimizer != null) {
    const opt = toKerasOptimizer(await optimizerState(optimizer), trainableVars(model))
    if (E.isLeft(opt)) {
      return E.left({
        _tag: 'UnsupportedOptimizer',
        optimizer: opt.left.optimizer,
        message: `ckpt/keras: the optimizer ${opt.left.optimizer} cannot be written in Keras's layout: ${opt.left.reason}. Save with includeOptimizer: false to write the weights alone`,
      })
    }
    groups.push(opt.right)
  }
  return E.right({ groups })
}

const mismatch = (label: string, message: string): KerasFormatError => ({
  _tag: 'WeightsMismatch',
  path: label,
  message: `ckpt/keras: the weights in '${label}' do not match the model; nothing was changed: ${message}`,
})

const describeArray = (a: KerasArray): string => `${a.dtype}[${a.shape.join(', ')}]`

/** The values for every layer weight, checked against the model before anything is assigned. */
const layerValues = (
  plans: ReadonlyArray<LayerPlan>,
  model: tfl.LayersModel,
  file: WeightsFile,
  label: string,
): E.Either<KerasFormatError, ReadonlyArray<[tfl.LayerVariable, KerasArray]>> => {
  const out: Array<[tfl.LayerVariable, KerasArray]> = []
  const expectedPaths = new Set<string>(['', 'optimizer'])
  for (const [li, plan] of plans.entries()) {
    const layer = model.layers[li] as tfl.layers.Layer
    for (const g of plan.groups) {
      expectedPaths.add(g.path)
      const found = groupAt(file, g.path)
      if (found === undefined) {
        if (g.order.length === 0 && plan.groups.length === 1) continue // weightless layer: nothing to load
        return E.left(mismatch(label, `missing '${g.path}/vars' for layer '${layer.name}' (${plan.layer.className})`))
      }
      if (found.vars.length !== g.order.length) {
        return E.left(mismatch(label, `'${g.path}/vars' has ${found.vars.length} variables, layer '${layer.name}' (${plan.layer.className}) has ${g.order.length}`))
      }
      for (const [k, wi] of g.order.entries()) {
        const w = layer.weights[wi] as tfl.LayerVariable
        const a = found.vars[k] as KerasArray
        if (plan.layer.className === 'GRU' && suffixOf(w.originalName) === 'bias' && a.shape.length === 2) {
          return E.left({
            _tag: 'UnsupportedConfig',
            layer: layer.name,
            field: 'reset_after',
            value: true,
            message: `ckpt/keras: GRU '${layer.name}': the file's bias is [${a.shape.join(', ')}], written by a Keras GRU with reset_after=True; tfjs GRU computes reset_after=False only (bias [${w.shape.join(', ')}]). Build the Keras GRU with reset_after=False`,
          })
        }
        const sameShape = a.shape.length === w.shape.length && a.shape.every((d, i) => d === w.shape[i])
        if (!sameShape || a.dtype !== 'float32') {
          return E.left(mismatch(label, `'${g.path}/vars/${k}' is ${describeArray(a)}, '${w.originalName}' is float32[${w.shape.join(', ')}]`))
        }
        out.push([w, a])
      }
    }
  }
  const extra = file.groups.filter((g) => !expectedPaths.has(g.path) && g.path.startsWith('layers/'))
  if (extra.length > 0) return E.left(mismatch(label, `the file has layers the model lacks: ${extra.map((g) => `'${g.path}'`).join(', ')}`))
  return E.right(out)
}

/**
 * Assigns a Keras weights file to the model: every layer weight is checked first (a mismatch changes nothing),
 * then assigned. The optimizer state is restored where the layouts map exactly, else skipped with the reason.
 */
export const applyKerasWeightsFile = async (model: tfl.LayersModel, file: WeightsFile, label: string): Promise<OptimizerOutcome> => {
  const plans = orThrow(planLayers(layerInfos(model)))
  const values = orThrow(layerValues(plans, model, file, label))
  const optimizer = model.optimizer as tf.Optimizer | undefined
  const optGroup = groupAt(file, 'optimizer')
  let restored: E.Either<OptimizerSkip, { iterations: number; slots: ReadonlyArray<{ name: string; shape: ReadonlyArray<number>; data: Float32Array }> }> | null = null
  if (optimizer != null && optGroup !== undefined) {
    const state = await optimizerState(optimizer)
    restored = fromKerasOptimizer(optGroup, state, trainableVars(model))
  }
  const tensors = values.map(([w, a]) => tf.tensor(a.data as Float32Array, [...a.shape], 'float32'))
  try {
    values.forEach(([w], i) => w.write(tensors[i] as tf.Tensor))
  } finally {
    tf.dispose(tensors)
  }
  if (optimizer == null) return { _tag: 'NoOptimizerState', reason: 'the model has no optimizer' }
  if (optGroup === undefined || restored === null) return { _tag: 'NoOptimizerState', reason: `'${label}' has no optimizer state` }
  if (E.isLeft(restored)) return restored.left
  const r = restored.right
  await optimizer.setWeights([
    { name: 'iter', tensor: tf.scalar(r.iterations, 'int32') },
    ...r.slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, [...s.shape], 'float32') })),
  ])
  return { _tag: 'OptimizerLoaded', optimizer: optimizer.getClassName(), iterations: r.iterations }
}

/** Keras's rule for `save_weights` paths, reworded for ckpt. */
export const checkWeightsPath = (path: string): void => {
  if (!path.endsWith('.weights.h5')) {
    raise({ _tag: 'InvalidPath', path, message: `ckpt/keras: a Keras weights file must end in '.weights.h5'. Received: path='${path}'` })
  }
}

/** Total element count of a file's layer weights (for messages and tests). */
export const weightCount = (file: WeightsFile): number =>
  file.groups.filter((g) => g.path.startsWith('layers/')).reduce((n, g) => n + g.vars.reduce((m, v) => m + sizeOf(v.shape), 0), 0)
