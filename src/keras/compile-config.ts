import * as E from '#fp-ts/Either.js'
import { LOSSES } from './supported.js'
import { jsonText } from './errors.js'
import { isObj, type Obj } from './layer-config.js'

/**
 * A `.keras` archive's `compile_config` (optimizer and loss) to and from tfjs's optimizer settings, as data. Pure.
 */

/** A tfjs optimizer's class and settings, as its fields are named in tfjs (`learningRate`, `beta1`…). */
export interface OptimizerSettings {
  readonly className: string
  readonly fields: Readonly<Record<string, number | boolean | undefined>>
}

/** The tfjs optimizer a Keras optimizer config maps to, with its constructor arguments. */
export type TfjsOptimizerSpec =
  | { readonly kind: 'adam'; readonly learningRate: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number }
  | { readonly kind: 'sgd'; readonly learningRate: number }
  | { readonly kind: 'momentum'; readonly learningRate: number; readonly momentum: number; readonly useNesterov: boolean }
  | {
      readonly kind: 'rmsprop'
      readonly learningRate: number
      readonly decay: number
      readonly momentum: number
      readonly epsilon: number
      readonly centered: boolean
    }
  | { readonly kind: 'adagrad'; readonly learningRate: number; readonly initialAccumulatorValue: number }

/**
 * tfjs's centered RMSProp divides by `sqrt(ms - (mg² + epsilon))`, Keras's RMSprop by `sqrt(velocity - average_grad² +
 * epsilon)`: the same step when the signs of the two epsilons differ, so the config carries the negated value.
 */
const centeredEpsilon = (epsilon: number): number => -epsilon

/** The epsilon tfjs's Adagrad adds (its float32 backend's `epsilon()`), not a setting of the optimizer. */
const TFJS_ADAGRAD_EPSILON = 1e-7

/** Why Keras optimizers ckpt does not map have no tfjs twin. */
const NO_TFJS_TWIN: Readonly<Record<string, string>> = {
  Adadelta: "tfjs's Adadelta computes its step from the squared-gradient average before the step, Keras's from the updated one",
  Adamax: 'tfjs does not implement getWeights/setWeights for Adamax, so its state cannot be set',
}

/** Keras 3 `compile_config` for the model's optimizer and loss, or null when either is missing or has no exact Keras twin. */
export const kerasCompileConfig = (optimizer: OptimizerSettings | null, loss: unknown): Obj | null => {
  const kerasLoss = typeof loss === 'string' ? LOSSES[loss] : undefined
  if (optimizer === null || kerasLoss === undefined) return null
  const o = optimizer.fields
  const common = {
    // Keras's learning_rate is a float32 variable, and get_config writes its value.
    learning_rate: typeof o['learningRate'] === 'number' ? Math.fround(o['learningRate']) : o['learningRate'],
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
  }
  let spec: Record<string, unknown>
  switch (optimizer.className) {
    case 'Adam':
      spec = { class_name: 'Adam', config: { ...common, beta_1: o['beta1'], beta_2: o['beta2'], epsilon: o['epsilon'], amsgrad: false } }
      break
    case 'SGD':
      spec = { class_name: 'SGD', config: { ...common, momentum: 0, nesterov: false } }
      break
    case 'Momentum':
      spec = { class_name: 'SGD', config: { ...common, momentum: o['momentum'], nesterov: o['useNesterov'] ?? false } }
      break
    case 'RMSProp':
      spec = {
        class_name: 'RMSprop',
        config: {
          ...common,
          rho: o['decay'],
          momentum: o['momentum'],
          epsilon: o['centered'] === true && typeof o['epsilon'] === 'number' ? centeredEpsilon(o['epsilon']) : o['epsilon'],
          centered: o['centered'],
        },
      }
      break
    case 'Adagrad':
      spec = {
        class_name: 'Adagrad',
        config: { ...common, initial_accumulator_value: o['initialAccumulatorValue'], epsilon: TFJS_ADAGRAD_EPSILON },
      }
      break
    default:
      return null
  }
  return {
    optimizer: { module: 'keras.optimizers', ...spec, registered_name: null },
    loss: kerasLoss,
    loss_weights: null,
    metrics: null,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  }
}

/** The tfjs optimizer for a Keras `compile_config.optimizer`, or the reason there is none. */
export const tfjsOptimizerSpec = (spec: unknown): E.Either<string, TfjsOptimizerSpec> => {
  if (!isObj(spec) || !isObj(spec['config'])) return E.left('the file has no optimizer config')
  const c = spec['config']
  const num = (k: string, d: number): number => (typeof c[k] === 'number' ? c[k] : d)
  for (const k of ['weight_decay', 'clipnorm', 'global_clipnorm', 'clipvalue', 'loss_scale_factor', 'gradient_accumulation_steps']) {
    if (c[k] != null)
      return E.left(`Keras ${jsonText(spec['class_name'])} uses ${k}=${JSON.stringify(c[k])}, which tfjs optimizers do not implement`)
  }
  if (c['use_ema'] === true)
    return E.left(`Keras ${jsonText(spec['class_name'])} uses use_ema=true, which tfjs optimizers do not implement`)
  if (typeof c['learning_rate'] !== 'number') return E.left('the learning rate is a schedule, which tfjs optimizers do not take')
  const learningRate = c['learning_rate']
  switch (spec['class_name']) {
    case 'Adam':
      if (c['amsgrad'] === true) return E.left('Keras Adam uses amsgrad=true, which tfjs Adam does not implement')
      return E.right({ kind: 'adam', learningRate, beta1: num('beta_1', 0.9), beta2: num('beta_2', 0.999), epsilon: num('epsilon', 1e-7) })
    case 'SGD':
      return num('momentum', 0) > 0
        ? E.right({ kind: 'momentum', learningRate, momentum: num('momentum', 0), useNesterov: c['nesterov'] === true })
        : E.right({ kind: 'sgd', learningRate })
    case 'RMSprop': {
      const centered = c['centered'] === true
      if (num('momentum', 0) < 0)
        return E.left(`Keras RMSprop uses momentum=${num('momentum', 0)}, which Keras ignores and tfjs's RMSProp would apply`)
      return E.right({
        kind: 'rmsprop',
        learningRate,
        decay: num('rho', 0.9),
        momentum: num('momentum', 0),
        epsilon: centered ? centeredEpsilon(num('epsilon', 1e-7)) : num('epsilon', 1e-7),
        centered,
      })
    }
    case 'Adagrad':
      if (num('epsilon', 1e-7) !== TFJS_ADAGRAD_EPSILON)
        return E.left(
          `Keras Adagrad uses epsilon=${num('epsilon', 1e-7)}; tfjs's Adagrad always adds ${TFJS_ADAGRAD_EPSILON} (its backend's epsilon)`,
        )
      return E.right({ kind: 'adagrad', learningRate, initialAccumulatorValue: num('initial_accumulator_value', 0.1) })
    default: {
      const name = jsonText(spec['class_name'])
      const why = NO_TFJS_TWIN[name] ?? 'it has no tfjs equivalent with the same state'
      return E.left(`Keras optimizer ${name}: ${why}; supported: Adam, SGD, RMSprop, Adagrad`)
    }
  }
}
