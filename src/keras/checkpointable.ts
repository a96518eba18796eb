import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { LOSSES } from './config.js'
import type { KerasFormatError } from './errors.js'
import { planLayers } from './layers.js'
import { KERAS_OPTIMIZERS } from './optimizer.js'
import { layerInfos } from './tfjs-weights.js'

/**
 * Whether `kerasWeightsFile(model)` (optimizer included) can succeed, checked from the model's structure
 * alone: every layer maps to Keras 3 and the optimizer (if any) has a Keras twin with the same state.
 * Reads no weight. Used to refuse a model before training rather than at its first save.
 */
export const kerasWeightsSupport = (model: tfl.LayersModel): E.Either<KerasFormatError, void> => {
  const plans = planLayers(layerInfos(model))
  if (E.isLeft(plans)) return plans
  const optimizer = model.optimizer as tf.Optimizer | undefined
  if (optimizer != null && KERAS_OPTIMIZERS[optimizer.getClassName()] === undefined) {
    const name = optimizer.getClassName()
    return E.left({
      _tag: 'UnsupportedOptimizer',
      optimizer: name,
      message: `ckpt/keras: the optimizer ${name} has no Keras 3 optimizer with the same state; supported: ${Object.keys(KERAS_OPTIMIZERS).join(', ')}`,
    })
  }
  return E.right(undefined)
}

/**
 * Whether a `.keras` archive of the model restores it compiled, with its optimizer state: supported layers,
 * compiled with an optimizer and a loss that have Keras twins (without them `encodeKerasModel` writes no
 * `compile_config`). Reads no weight; the topology's translation is checked by encoding it.
 */
export const kerasModelSupport = (model: tfl.LayersModel): E.Either<KerasFormatError, void> => {
  const weights = kerasWeightsSupport(model)
  if (E.isLeft(weights)) return weights
  if (model.optimizer == null)
    return E.left({ _tag: 'UnsupportedConfig', layer: '(model)', field: 'optimizer', value: null, message: 'ckpt/keras: the model is not compiled; a .keras checkpoint carries the optimizer and the loss' })
  // encodeKerasModel writes a compile_config (with the optimizer state) only for a loss Keras names the same way.
  const loss = (model as unknown as { loss?: unknown }).loss
  if (typeof loss !== 'string' || LOSSES[loss] === undefined) {
    const shown = typeof loss === 'string' ? loss : typeof loss === 'function' ? `a function (${(loss as { name?: string }).name ?? 'anonymous'})` : JSON.stringify(loss)
    return E.left({
      _tag: 'UnsupportedConfig',
      layer: '(model)',
      field: 'loss',
      value: typeof loss === 'string' ? loss : null,
      message: `ckpt/keras: the loss ${shown} has no Keras 3 equivalent in ckpt; supported losses: ${Object.keys(LOSSES).join(', ')}`,
    })
  }
  return E.right(undefined)
}
