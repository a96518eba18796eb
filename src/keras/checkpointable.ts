import * as E from '#fp-ts/Either.js'
import { unsupportedOptimizer, type KerasFormatError } from './errors.js'
import { checkLayers, type LayerInfo } from './layers.js'
import { KERAS_OPTIMIZERS, LOSSES } from './supported.js'

/**
 * Whether a model's weights file (optimizer included) can be written, from its structure alone: every layer
 * maps to Keras 3 and the optimizer (its class name, null without one) has a Keras twin with the same state.
 * Reads no weight. Used to refuse a model before training rather than at its first save.
 */
export const kerasWeightsSupport = (layers: ReadonlyArray<LayerInfo>, optimizer: string | null): E.Either<KerasFormatError, void> => {
  const plans = checkLayers(layers)
  if (E.isLeft(plans)) return plans
  if (optimizer !== null && KERAS_OPTIMIZERS[optimizer] === undefined) {
    const supported = Object.keys(KERAS_OPTIMIZERS)
    return E.left(
      unsupportedOptimizer(
        optimizer,
        supported,
        `ckpt/keras: the optimizer ${optimizer} has no Keras 3 optimizer with the same state; supported: ${supported.join(', ')}`,
      ),
    )
  }
  return E.right(undefined)
}

/**
 * Whether a `.keras` archive of the model restores it compiled, with its optimizer state: supported layers,
 * compiled with an optimizer and a loss that have Keras twins (without them the archive gets no
 * `compile_config`). Reads no weight; the topology's translation is checked by encoding it.
 */
export const kerasModelSupport = (
  layers: ReadonlyArray<LayerInfo>,
  optimizer: string | null,
  loss: unknown,
): E.Either<KerasFormatError, void> => {
  const weights = kerasWeightsSupport(layers, optimizer)
  if (E.isLeft(weights)) return weights
  if (optimizer === null)
    return E.left({
      _tag: 'UnsupportedConfig',
      layer: '(model)',
      field: 'optimizer',
      value: null,
      message: 'ckpt/keras: the model is not compiled; a .keras checkpoint carries the optimizer and the loss',
    })
  // The archive carries a compile_config (with the optimizer state) only for a loss Keras names the same way.
  if (typeof loss !== 'string' || LOSSES[loss] === undefined) {
    const shown =
      typeof loss === 'string'
        ? loss
        : typeof loss === 'function'
          ? `a function (${(loss as { name?: string }).name ?? 'anonymous'})`
          : JSON.stringify(loss)
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
