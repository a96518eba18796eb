import * as E from '#fp-ts/Either.js'
import type { KerasArray, VarsGroup } from './weights-file.js'
import { sizeOf } from './weights-file.js'
import { KERAS_OPTIMIZERS } from './supported.js'

/**
 * Optimizer state between tfjs and Keras 3 (`optimizer/vars` of a weights file). Pure.
 *
 * Keras 3.15 writes `iteration` (int64), `learning_rate` (float32), then the slots of the model's trainable
 * variables in `model.trainable_variables` order (measured with h5py on files Keras wrote):
 * - Adam: `momentum_0, velocity_0, momentum_1, velocity_1, …` (interleaved per variable);
 * - SGD: `momentum_0, momentum_1, …` when `momentum > 0`, else nothing;
 * - RMSprop: all `velocity`, then all `momentum` (when `momentum > 0`), then all `average_gradient` (when `centered`);
 * - Adagrad: `accumulator_0, accumulator_1, …`.
 *
 * tfjs keeps: Adam `m`, `v`; Momentum `accumulation` with `var -= lr * acc`, where Keras's SGD keeps
 * `m = -lr * acc` (`var += m`); RMSProp `rms` (= velocity), `momentum` (= Keras momentum, both include the
 * learning rate), `mg` (= average_gradient); Adagrad `accumulator` (= Keras accumulator, both start at
 * `initial_accumulator_value`).
 */

/** The state of a tfjs optimizer, as data. `slots` holds `getWeights()` minus `iter`, keyed by slot name. */
export interface TfjsOptimizerState {
  readonly className: string
  readonly learningRate: number
  readonly momentum: number
  readonly centered: boolean
  /** Adagrad's starting accumulator value (0 for the others). */
  readonly initialAccumulatorValue: number
  readonly iterations: number
  readonly slots: ReadonlyMap<string, Float32Array>
}

/** A model variable the optimizer updates: its registered name and shape. */
export interface TrainableVar {
  readonly name: string
  readonly shape: ReadonlyArray<number>
}

/** Why optimizer state cannot be carried over; the model's weights are unaffected. */
export interface OptimizerSkip {
  readonly _tag: 'OptimizerSkipped'
  readonly optimizer: string
  /** The setting refused, when the class maps but this value of the setting does not. */
  readonly setting?: string
  readonly reason: string
}

const skip = (optimizer: string, reason: string, setting?: string): OptimizerSkip => ({
  _tag: 'OptimizerSkipped',
  optimizer,
  ...(setting === undefined ? {} : { setting }),
  reason,
})

/** Why tfjs optimizers ckpt does not map have no Keras 3 twin. */
const UNMAPPED: Readonly<Record<string, string>> = {
  Adadelta:
    "tfjs's Adadelta scales each step by the squared-gradient average from before the step, Keras's by the updated one, so training resumed in the other framework would differ",
  Adamax: 'tfjs does not implement getWeights/setWeights for Adamax, so its state cannot be read or set',
}

/**
 * Why a tfjs optimizer of this class and momentum has no Keras 3 optimizer that continues it exactly, or null
 * when it has: the class is unmapped, Momentum's `momentum` is outside Keras SGD's [0, 1], or RMSProp's is
 * negative (Keras's RMSprop ignores a momentum ≤ 0, tfjs applies it).
 */
export const optimizerRefusal = (className: string, momentum: number): { readonly setting?: string; readonly reason: string } | null => {
  if (KERAS_OPTIMIZERS[className] === undefined)
    return {
      reason: `${UNMAPPED[className] ?? `tfjs ${className} has no Keras 3 optimizer with the same state`}; supported: ${Object.keys(KERAS_OPTIMIZERS).join(', ')}`,
    }
  if (className === 'Momentum' && !(momentum >= 0 && momentum <= 1))
    return { setting: 'momentum', reason: `momentum=${momentum}: Keras's SGD takes a momentum between 0 and 1` }
  if (className === 'RMSProp' && !(momentum >= 0))
    return { setting: 'momentum', reason: `momentum=${momentum}: Keras's RMSprop ignores a momentum below 0, tfjs applies it` }
  return null
}

/** tfjs slot suffixes in the order Keras stores them: per variable (`interleaved`) or slot by slot. */
const layoutOf = (
  s: Pick<TfjsOptimizerState, 'className' | 'momentum' | 'centered'>,
): { readonly slots: ReadonlyArray<string>; readonly interleaved: boolean } | null => {
  switch (s.className) {
    case 'Adam':
      return { slots: ['m', 'v'], interleaved: true }
    case 'SGD':
      return { slots: [], interleaved: false }
    case 'Momentum':
      // Keras's SGD(momentum=0.0) keeps no slot; tfjs's accumulation is then the last gradient, never read again.
      return { slots: s.momentum > 0 ? ['momentum'] : [], interleaved: false }
    case 'RMSProp':
      return { slots: ['rms', ...(s.momentum > 0 ? ['momentum'] : []), ...(s.centered ? ['mg'] : [])], interleaved: false }
    case 'Adagrad':
      return { slots: ['accumulator'], interleaved: false }
    default:
      return null
  }
}

const order = (
  vars: ReadonlyArray<TrainableVar>,
  slots: ReadonlyArray<string>,
  interleaved: boolean,
): ReadonlyArray<[TrainableVar, string]> =>
  interleaved
    ? vars.flatMap((v) => slots.map((s) => [v, s] as [TrainableVar, string]))
    : slots.flatMap((s) => vars.map((v) => [v, s] as [TrainableVar, string]))

/**
 * The Keras `optimizer/vars` group for a tfjs optimizer. Slots the optimizer has not created yet (no step
 * taken) are written as the values both frameworks start from: zeros, Adagrad's `initialAccumulatorValue`.
 */
export const toKerasOptimizer = (state: TfjsOptimizerState, vars: ReadonlyArray<TrainableVar>): E.Either<OptimizerSkip, VarsGroup> => {
  const target = KERAS_OPTIMIZERS[state.className]
  const layout = layoutOf(state)
  const refused = optimizerRefusal(state.className, state.momentum)
  if (refused !== null) return E.left(skip(state.className, refused.reason, refused.setting))
  if (target === undefined || layout === null) return E.left(skip(state.className, `tfjs ${state.className} has no Keras 3 layout in ckpt`))
  const out: KerasArray[] = [
    { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(state.iterations)) },
    { dtype: 'float32', shape: [], data: Float32Array.of(state.learningRate) },
  ]
  for (const [v, slot] of order(vars, layout.slots, layout.interleaved)) {
    const found = state.slots.get(`${v.name}/${slot}`)
    const n = sizeOf(v.shape)
    if (found !== undefined && found.length !== n)
      return E.left(skip(state.className, `slot '${v.name}/${slot}' has ${found.length} values, the variable ${n}`))
    const data =
      found === undefined
        ? new Float32Array(n).fill(state.className === 'Adagrad' ? state.initialAccumulatorValue : 0)
        : state.className === 'Momentum'
          ? found.map((a) => -Math.fround(state.learningRate) * a) // Keras's learning_rate is a float32 variable
          : found.slice()
    out.push({ dtype: 'float32', shape: v.shape, data })
  }
  return E.right({ path: 'optimizer', name: target.name, vars: out })
}

/** tfjs optimizer state read from a Keras `optimizer/vars` group: `iterations` and `getWeights()`-ordered slots. */
export interface RestoredOptimizer {
  readonly iterations: number
  readonly slots: ReadonlyArray<{ readonly name: string; readonly shape: ReadonlyArray<number>; readonly data: Float32Array }>
}

/** tfjs's `getWeights()` slot order: slot by slot; RMSProp always carries `momentum`. */
const tfjsSlotOrder = (className: string, centered: boolean): ReadonlyArray<string> =>
  className === 'Adam'
    ? ['m', 'v']
    : className === 'Momentum'
      ? ['momentum']
      : className === 'RMSProp'
        ? ['rms', 'momentum', ...(centered ? ['mg'] : [])]
        : className === 'Adagrad'
          ? ['accumulator']
          : []

/**
 * The tfjs state for `target` (class and hyper-parameters of the tfjs optimizer) from a Keras group.
 * Left with the reason when the group was not written by the matching Keras optimizer: a different object
 * name than Keras's default for that class, a different variable count, or a shape mismatch.
 */
export const fromKerasOptimizer = (
  group: VarsGroup,
  target: Pick<TfjsOptimizerState, 'className' | 'momentum' | 'centered'>,
  vars: ReadonlyArray<TrainableVar>,
): E.Either<OptimizerSkip, RestoredOptimizer> => {
  const mapped = KERAS_OPTIMIZERS[target.className]
  const layout = layoutOf(target)
  const refused = optimizerRefusal(target.className, target.momentum)
  if (refused !== null) return E.left(skip(target.className, refused.reason, refused.setting))
  if (mapped === undefined || layout === null)
    return E.left(skip(target.className, `tfjs ${target.className} has no Keras 3 layout in ckpt`))
  // Keras makes optimizer names unique per process: adam, adam_1, adam_2…
  if (group.name === null || !new RegExp(`^${mapped.name}(_\\d+)?$`).test(group.name)) {
    return E.left(
      skip(
        target.className,
        `the file's optimizer is named '${group.name ?? '(none)'}', not '${mapped.name}' (Keras's ${mapped.keras}), so its variable layout is unknown`,
      ),
    )
  }
  const expected = order(vars, layout.slots, layout.interleaved)
  if (group.vars.length !== expected.length + 2) {
    return E.left(
      skip(
        target.className,
        `the file's ${mapped.keras} has ${group.vars.length} variables; a ${target.className} with momentum=${target.momentum}, centered=${target.centered} over ${vars.length} variables needs ${expected.length + 2}`,
      ),
    )
  }
  const [iteration, lr] = group.vars as [KerasArray, KerasArray]
  if (sizeOf(iteration.shape) !== 1 || sizeOf(lr.shape) !== 1)
    return E.left(skip(target.className, 'the iteration and learning_rate variables are not scalars'))
  const learningRate = Number(lr.data[0])
  const byName = new Map<string, Float32Array>()
  for (const [i, [v, slot]] of expected.entries()) {
    const a = group.vars[i + 2] as KerasArray
    if (a.dtype !== 'float32' || a.shape.length !== v.shape.length || a.shape.some((d, k) => d !== v.shape[k])) {
      return E.left(
        skip(
          target.className,
          `optimizer variable ${i + 2} is ${a.dtype}[${a.shape.join(', ')}], the slot '${v.name}/${slot}' float32[${v.shape.join(', ')}]`,
        ),
      )
    }
    const data = a.data as Float32Array
    byName.set(
      `${v.name}/${slot}`,
      target.className === 'Momentum' ? data.map((m) => (learningRate === 0 ? 0 : -m / learningRate)) : data.slice(),
    )
  }
  const slots = tfjsSlotOrder(target.className, target.centered).flatMap((slot) =>
    vars.map((v) => ({
      name: `${v.name}/${slot}`,
      shape: v.shape,
      data: byName.get(`${v.name}/${slot}`) ?? new Float32Array(sizeOf(v.shape)),
    })),
  )
  return E.right({ iterations: Number(iteration.data[0]), slots })
}
