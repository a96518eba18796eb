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
}
