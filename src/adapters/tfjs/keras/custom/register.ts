import * as tf from '@tensorflow/tfjs-core'
import { HardSilu, KerasHardSigmoid } from './activations.js'
import { withKeepdims } from './global-pooling.js'
import { resetAfterGru } from './gru.js'
import { KerasOp } from './keras-op.js'
import { MultiHeadAttention } from './multi-head-attention.js'
import { Normalization } from './normalization.js'

/**
 * Registers ckpt's tfjs classes for what Keras 3 has and tfjs 4.22 lacks with tfjs's serialization, so that
 * models using them are built from JSON, train, and save in tfjs. Run once, when the Keras code loads
 * (model-file.ts imports this module for its effect).
 */
for (const cls of [KerasHardSigmoid, HardSilu, KerasOp, Normalization, MultiHeadAttention]) tf.serialization.registerClass(cls)
for (const name of ['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D'])
  tf.serialization.registerClass(withKeepdims(name) as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>)
tf.serialization.registerClass(resetAfterGru() as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>)
