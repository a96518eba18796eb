import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { fail } from './errors.js'

/**
 * Checks that a checkpoint's optimizer state can go into `model`: when the checkpoint holds optimizer weights, the
 * model must be compiled, with the optimizer class the checkpoint names (`OptimizerMismatch` otherwise).
 */
export const assertOptimizerMatches = (
  model: tfl.LayersModel,
  path: string,
  trainingConfig: tf.io.TrainingConfig | undefined,
  specs: ReadonlyArray<tf.io.WeightsManifestEntry>,
): void => {
  if (!specs.some((s) => s.group === 'optimizer')) return
  const optimizerConfig: { readonly class_name?: string } | undefined = trainingConfig?.optimizer_config
  const saved = optimizerConfig?.class_name
  const current = model.optimizer?.getClassName()
  if (current === undefined)
    fail({
      _tag: 'OptimizerMismatch',
      saved: saved ?? '?',
      model: 'none',
      message: `ckpt/tfjs: checkpoint '${path}' holds ${saved ?? 'optimizer'} state, but the model is not compiled; compile it first`,
    })
  if (saved !== undefined && saved !== current)
    fail({
      _tag: 'OptimizerMismatch',
      saved,
      model: current,
      message: `ckpt/tfjs: checkpoint '${path}' holds ${saved} state, but the model's optimizer is ${current}`,
    })
  assertSlotsFit(model, path, current, specs)
}

const MAX_SHAPES_SHOWN = 6
const shapesOf = (xs: ReadonlyArray<{ readonly shape: ReadonlyArray<number | null> }>): string =>
  xs
    .slice(0, MAX_SHAPES_SHOWN)
    .map((x) => `[${x.shape.join(', ')}]`)
    .join(', ') + (xs.length > MAX_SHAPES_SHOWN ? `, … (${xs.length} in all)` : '')

/**
 * tfjs optimizers set their slots by position (after the iteration count, which comes first): one group of slots per
 * kind (Adam's m and v, ...), each in the order of the model's trainable weights. A model that trains other weights
 * than the saved one (a layer frozen or unfrozen since) would take moments of one weight for another, or fail at its
 * first step with a broadcast error; refused here, before anything is written.
 */
const assertSlotsFit = (model: tfl.LayersModel, path: string, optimizer: string, specs: ReadonlyArray<tf.io.WeightsManifestEntry>) => {
  const slots = specs.filter((s) => s.group === 'optimizer').slice(1)
  if (slots.length === 0) return // saved before the first step: no slots yet
  const trainable = model.trainableWeights
  const n = trainable.length
  const fits =
    n > 0 &&
    slots.length % n === 0 &&
    slots.every((s, i) => {
      const want = trainable[i % n]!.shape
      return s.shape.length === want.length && s.shape.every((d, j) => d === want[j])
    })
  if (!fits)
    fail({
      _tag: 'OptimizerMismatch',
      saved: optimizer,
      model: optimizer,
      message:
        `ckpt/tfjs: checkpoint '${path}' holds ${optimizer} state of ${slots.length} slot tensors (shapes ${shapesOf(slots)})` +
        `, but the model trains ${n} weights of shapes ${shapesOf(trainable)}: was a layer frozen or unfrozen since the save? ` +
        `Restore into the model as it was trained (the same trainable layers), or compile it with a fresh optimizer and load only the weights`,
    })
}
