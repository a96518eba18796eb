import * as tf from '@tensorflow/tfjs-core'

/**
 * Keras 3's activations tfjs 4.22 lacks, as tfjs activations (registered by register.ts when the Keras code
 * loads). A tfjs activation's class name is its identifier in camelCase; tfjs's JSON writes it in snake_case.
 */

/** Keras 3's `hard_sigmoid`, relu6(x + 3) / 6. Not tfjs's `hardSigmoid` (slope 0.2): tfjs JSON `keras_hard_sigmoid`. */
export class KerasHardSigmoid extends tf.serialization.Serializable {
  static readonly className = 'kerasHardSigmoid'
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6))
  }
  getConfig(): tf.serialization.ConfigDict {
    return {}
  }
}

/** Keras 3's `hard_silu` (alias `hard_swish`), x · relu6(x + 3) / 6: tfjs JSON `hard_silu`. */
export class HardSilu extends tf.serialization.Serializable {
  static readonly className = 'hardSilu'
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)))
  }
  getConfig(): tf.serialization.ConfigDict {
    return {}
  }
}
