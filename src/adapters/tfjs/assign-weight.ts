import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

/**
 * Puts `value` into the layer variable `v` as it is. `LayerVariable.write` would also apply the variable's constraint
 * (`maxNorm`, `nonNeg`, …), which tfjs's training never applies: a restored weight would differ from the one saved.
 */
export const assignWeight = (v: tfl.LayerVariable, value: tf.Tensor): void => {
  const variable = v.read()
  if (variable instanceof tf.Variable) variable.assign(value)
  else v.write(value)
}
