import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { OptimizerSettings, TfjsOptimizerSpec } from '../../../keras/compile-config.js'
import { optimizerRefusal, type RestoredOptimizer, type TfjsOptimizerState, type TrainableVar } from '../../../keras/optimizer.js'

/** A tfjs optimizer object to and from the data the Keras file layer reads and writes. */

/** The variables the model's optimizer updates, in `model.trainableWeights` order. */
export const trainableVars = (model: tfl.LayersModel): ReadonlyArray<TrainableVar> =>
  model.trainableWeights.map((w) => ({ name: w.name, shape: w.shape as ReadonlyArray<number> }))

/** Why Keras 3 cannot continue this optimizer, or null (see `optimizerRefusal`). Reads no state (Adamax's getWeights throws). */
export const kerasRefusal = (optimizer: tf.Optimizer): ReturnType<typeof optimizerRefusal> =>
  optimizerRefusal(optimizer.getClassName(), (optimizer as unknown as { momentum?: number }).momentum ?? 0)

/** The state of an optimizer as data. Reads the slots (`getWeights`). */
export const optimizerState = async (optimizer: tf.Optimizer): Promise<TfjsOptimizerState> => {
  const weights = await optimizer.getWeights()
  const slots = new Map<string, Float32Array>()
  for (const w of weights.slice(1)) slots.set(w.name, (await w.tensor.data()) as Float32Array)
  const o = optimizer as unknown as { learningRate?: number; momentum?: number; centered?: boolean; initialAccumulatorValue?: number }
  return {
    className: optimizer.getClassName(),
    learningRate: o.learningRate ?? 0,
    momentum: o.momentum ?? 0,
    centered: o.centered ?? false,
    initialAccumulatorValue: o.initialAccumulatorValue ?? 0,
    iterations: (optimizer as unknown as { iterations_?: number }).iterations_ ?? 0,
    slots,
  }
}

/** Sets the optimizer's iteration count and slots. */
export const setOptimizerState = async (optimizer: tf.Optimizer, restored: RestoredOptimizer): Promise<void> => {
  await optimizer.setWeights([
    { name: 'iter', tensor: tf.scalar(restored.iterations, 'int32') },
    ...restored.slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, [...s.shape], 'float32') })),
  ])
}

/** The optimizer's class and settings, as its fields are named in tfjs. */
export const optimizerSettings = (optimizer: tf.Optimizer): OptimizerSettings => ({
  className: optimizer.getClassName(),
  fields: optimizer as unknown as Readonly<Record<string, number | boolean | undefined>>,
})

/** A new tfjs optimizer from its spec. */
export const tfjsOptimizer = (spec: TfjsOptimizerSpec): tf.Optimizer => {
  switch (spec.kind) {
    case 'adam':
      return tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon)
    case 'sgd':
      return tf.train.sgd(spec.learningRate)
    case 'momentum':
      return tf.train.momentum(spec.learningRate, spec.momentum, spec.useNesterov)
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, spec.decay, spec.momentum, spec.epsilon, spec.centered)
    case 'adagrad':
      return tf.train.adagrad(spec.learningRate, spec.initialAccumulatorValue)
  }
}
