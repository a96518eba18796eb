import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { unsupportedOptimizer, type KerasFormatError } from '../../../keras/errors.js'
import { kerasCall, orThrow } from '../../../keras/failures.js'
import { layerWeightValues, layerWeightsFile } from '../../../keras/layer-weights.js'
import { fromKerasOptimizer, toKerasOptimizer, type OptimizerSkip, type RestoredOptimizer } from '../../../keras/optimizer.js'
import { KERAS_OPTIMIZERS } from '../../../keras/supported.js'
import { groupAt, readGroup, type LazyWeightsFile, type WeightsFile } from '../../../keras/weights-file.js'
import { layerValues, writeLayerValues } from './model-layers.js'
import { optimizerOf } from './model-structure.js'
import { kerasLayerInfos, sharedAcrossModels } from './nested-layers.js'
import { kerasRefusal, optimizerState, setOptimizerState, trainableVars } from './optimizer.js'

/** A tfjs model's weights and optimizer state to and from a Keras weights file (its groups, not its bytes). */

/** What happened to the optimizer state on a load. */
export type OptimizerOutcome =
  | { readonly _tag: 'OptimizerLoaded'; readonly optimizer: string; readonly iterations: number }
  | OptimizerSkip
  | { readonly _tag: 'NoOptimizerState'; readonly reason: string }

export interface KerasWeightsOptions {
  /** Write the optimizer's state as `optimizer/vars` (Adam, SGD, Momentum, RMSProp, Adagrad). Default `true`. */
  readonly includeOptimizer?: boolean
}

/** `kerasWeightsFile` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
export const kerasWeightsFile = (
  model: tfl.LayersModel,
  options: KerasWeightsOptions = {},
): Promise<E.Either<KerasFormatError, WeightsFile>> => weightsFileOf(model, options, true)

/**
 * {@link kerasWeightsFile}; with `copy` false, the layer weights are the arrays tfjs gives (on the cpu backend the
 * weights' own), for a caller that reads them at once and keeps nothing.
 */
export const weightsFileOf = (
  model: tfl.LayersModel,
  options: KerasWeightsOptions,
  copy: boolean,
): Promise<E.Either<KerasFormatError, WeightsFile>> =>
  kerasCall('(model weights)', async () => {
    const shared = sharedAcrossModels(model)
    if (shared !== null) return E.left(shared)
    const layers = layerWeightsFile(model.name, kerasLayerInfos(model), layerValues(model, copy))
    if (E.isLeft(layers)) return layers
    const optimizer = optimizerOf(model)
    if (!(options.includeOptimizer ?? true) || optimizer === null) return layers
    // Refused before its state is read: tfjs's Adamax throws on getWeights.
    const refused = kerasRefusal(optimizer)
    const opt =
      refused === null
        ? toKerasOptimizer(await optimizerState(optimizer), trainableVars(model))
        : E.left<OptimizerSkip>({ _tag: 'OptimizerSkipped', optimizer: optimizer.getClassName(), ...refused })
    if (E.isLeft(opt)) {
      const message = `ckpt/keras: the optimizer ${opt.left.optimizer} cannot be written in Keras's layout: ${opt.left.reason}. Save with includeOptimizer: false to write the weights alone`
      return E.left(unsupportedOptimizer(opt.left.optimizer, Object.keys(KERAS_OPTIMIZERS), message, opt.left.setting))
    }
    return E.right({ groups: [...layers.right.groups, opt.right] })
  })

/**
 * Assigns a Keras weights file to the model: every layer weight is checked first (a mismatch changes nothing),
 * and the optimizer state read, then each layer weight is read and assigned in turn (so only one weight's new
 * value is held besides the model's). The optimizer state is restored where the layouts map exactly, else skipped
 * with the reason. A read that fails part way leaves the weights assigned so far.
 */
export const applyKerasWeightsFile = async (model: tfl.LayersModel, file: LazyWeightsFile, label: string): Promise<OptimizerOutcome> => {
  const shared = sharedAcrossModels(model)
  if (shared !== null) orThrow(E.left(shared))
  const values = orThrow(layerWeightValues(kerasLayerInfos(model), file, label))
  const optimizer = optimizerOf(model)
  const optGroup = groupAt(file, 'optimizer')
  let restored: E.Either<OptimizerSkip, RestoredOptimizer> | null = null
  if (optimizer !== null && optGroup !== undefined) {
    const refused = kerasRefusal(optimizer)
    restored =
      refused === null
        ? fromKerasOptimizer(await readGroup(optGroup), await optimizerState(optimizer), trainableVars(model))
        : E.left({ _tag: 'OptimizerSkipped', optimizer: optimizer.getClassName(), ...refused })
  }
  await writeLayerValues(model, values)
  if (optimizer === null) return { _tag: 'NoOptimizerState', reason: 'the model has no optimizer' }
  if (optGroup === undefined || restored === null) return { _tag: 'NoOptimizerState', reason: `'${label}' has no optimizer state` }
  if (E.isLeft(restored)) return restored.left
  await setOptimizerState(optimizer, restored.right)
  return { _tag: 'OptimizerLoaded', optimizer: optimizer.getClassName(), iterations: restored.right.iterations }
}
