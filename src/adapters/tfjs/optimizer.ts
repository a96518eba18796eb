import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { fail, type TfjsAdapterError } from './errors.js'

/**
 * The tfjs optimizers whose state survives `getWeights` → save → load → `setWeights` exactly, keyed by
 * `getClassName()`, with the `tf.train` factory name. Each is verified by a test that continues training
 * after a save/load round trip and compares the weights bit for bit, on cpu and wasm.
 */
export const checkpointableOptimizers: Readonly<Record<string, string>> = {
  SGD: 'sgd',
  Momentum: 'momentum',
  Adam: 'adam',
  RMSProp: 'rmsprop',
  Adagrad: 'adagrad',
  Adadelta: 'adadelta',
}

const why: Readonly<Record<string, string>> = {
  Adamax: 'tfjs does not implement getWeights/setWeights for Adamax, so its state cannot be saved or restored',
}

/**
 * Right when the model's optimizer state can be checkpointed (or the model has no optimizer: nothing to save),
 * else `UnsupportedOptimizer` naming the optimizer and listing the supported ones. Pure.
 */
export const checkpointableOptimizer = (model: tfl.LayersModel): E.Either<TfjsAdapterError, void> => {
  const optimizer = model.optimizer
  if (optimizer == null) return E.right(undefined)
  const className = optimizer.getClassName()
  if (Object.prototype.hasOwnProperty.call(checkpointableOptimizers, className)) return E.right(undefined)
  const supported = Object.values(checkpointableOptimizers)
  const reason = why[className] ?? 'ckpt has not verified that its state round-trips exactly'
  return E.left({
    _tag: 'UnsupportedOptimizer',
    optimizer: className,
    supported,
    message: `ckpt/tfjs: the optimizer ${className} cannot be checkpointed: ${reason}. Supported optimizers: ${supported.join(', ')}`,
  })
}

/** Throws `CkptTfjsError` (`UnsupportedOptimizer`) unless {@link checkpointableOptimizer} accepts the model. */
export const assertCheckpointableOptimizer = (model: tfl.LayersModel): void => {
  const r = checkpointableOptimizer(model)
  if (E.isLeft(r)) fail(r.left)
}

/**
 * Optimizer state that tfjs keeps outside `getWeights()`, so that `model.save(..., { includeOptimizer: true })`
 * loses it: Adam's running powers `accBeta1 = beta1^t` and `accBeta2 = beta2^t`. `setWeights` recomputes them
 * with `pow`, which differs in the last float32 bits from the running product for most betas (measured:
 * beta1 = 0.85 gives 0.32057714 instead of 0.32057711 after 6 steps), so resumed Adam training drifts.
 * `iterations` ties the values to the step they belong to.
 */
export interface HiddenOptimizerState {
  readonly optimizer: string
  readonly iterations: number
  readonly values: Readonly<Record<string, number>>
}

const HIDDEN: Readonly<Record<string, ReadonlyArray<string>>> = { Adam: ['accBeta1', 'accBeta2'] }

const hiddenVariable = (optimizer: tf.Optimizer, field: string): tf.Variable | undefined => {
  const v = (optimizer as unknown as Record<string, unknown>)[field]
  return v instanceof tf.Variable && v.size === 1 ? v : undefined
}

/** The hidden state of `optimizer`, or `null` when it has none. Reads two scalars (`dataSync`). */
export const hiddenOptimizerState = (optimizer: tf.Optimizer | undefined | null): HiddenOptimizerState | null => {
  if (optimizer == null) return null
  const fields = HIDDEN[optimizer.getClassName()]
  if (fields === undefined) return null
  const values = Object.create(null) as Record<string, number>
  for (const f of fields) {
    const v = hiddenVariable(optimizer, f)
    if (v === undefined) return null
    values[f] = v.dataSync()[0] as number
  }
  return { optimizer: optimizer.getClassName(), iterations: optimizer.iterations, values }
}

/**
 * Puts hidden state back, after `setWeights` (which `loadLayersModel` calls). Applies only when the optimizer
 * class and its iteration count match `state`; returns whether it applied. float32 values survive JSON exactly.
 */
export const restoreHiddenOptimizerState = (optimizer: tf.Optimizer | undefined | null, state: HiddenOptimizerState): boolean => {
  if (optimizer == null || optimizer.getClassName() !== state.optimizer || optimizer.iterations !== state.iterations) return false
  const targets = Object.entries(state.values).map(([f, value]) => [hiddenVariable(optimizer, f), value] as const)
  if (targets.some(([v, value]) => v === undefined || typeof value !== 'number')) return false
  for (const [v, value] of targets) tf.tidy(() => (v as tf.Variable).assign(tf.scalar(value, 'float32')))
  return true
}
