/**
 * The settings of each layer ckpt maps between tfjs and Keras 3: the config keys both frameworks read the same
 * way, the Keras-only settings with the one value tfjs computes, and values ckpt refuses. Tables only (the
 * translation is in layer-config.ts); docs/keras-interop.md's table of layers is generated from them
 * (scripts/keras-layers-doc.ts). Loaded with the rest of the Keras code, not up front.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

export interface LayerSettings {
  /** Config keys with the same name and meaning in tfjs and Keras 3 (besides name, trainable, dtype). */
  readonly keys: ReadonlyArray<string>
  /**
   * Keras-only settings and the value that means what tfjs computes: written so to Keras, and any other value
   * read from Keras is refused (a number also matches a list of that number, as in `dilation_rate: [1, 1]`).
   */
  readonly fixed?: Readonly<Record<string, Json>>
  /** Settings named differently: Keras's name → tfjs's. */
  readonly renamed?: Readonly<Record<string, string>>
  /** Settings where only some values mean the same in both: the values accepted. */
  readonly only?: Readonly<Record<string, ReadonlyArray<Json>>>
}

const CONV = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation', 'use_bias']
const CONV_INIT = ['kernel_initializer', 'bias_initializer']
// tfjs 4.22 implements no 'causal' padding in its convolutions.
const conv: LayerSettings = { keys: [...CONV, ...CONV_INIT], fixed: { groups: 1 }, only: { padding: ['valid', 'same'] } }
const convTranspose: LayerSettings = {
  keys: [...CONV.filter((k) => k !== 'dilation_rate'), ...CONV_INIT],
  fixed: { output_padding: null, dilation_rate: 1 },
}
const pooling: LayerSettings = { keys: ['pool_size', 'padding', 'strides', 'data_format'] }
// tfjs 4.22's global pooling layers have no keepdims: ckpt's own (custom/global-pooling.ts) add it.
const globalPooling: LayerSettings = { keys: ['data_format', 'keepdims'] }
const RNN_COMMON = [
  'units',
  'activation',
  'use_bias',
  'kernel_initializer',
  'recurrent_initializer',
  'bias_initializer',
  'dropout',
  'recurrent_dropout',
  'return_sequences',
  'return_state',
  'go_backwards',
  'stateful',
  'unroll',
]
const none: LayerSettings = { keys: [] }

export const LAYER_SETTINGS: Readonly<Record<string, LayerSettings>> = {
  Dense: { keys: ['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer'] },
  Conv1D: conv,
  Conv2D: conv,
  Conv3D: conv,
  Conv2DTranspose: convTranspose,
  // tfjs 4.22's DepthwiseConv2D ignores its dilationRate (it convolves undilated): written as 1, what tfjs computes.
  DepthwiseConv2D: {
    keys: [
      ...CONV.filter((k) => k !== 'filters' && k !== 'dilation_rate'),
      'depth_multiplier',
      'depthwise_initializer',
      'bias_initializer',
    ],
    fixed: { dilation_rate: 1 },
  },
  SeparableConv2D: {
    keys: [...CONV, 'depth_multiplier', 'depthwise_initializer', 'pointwise_initializer', 'bias_initializer'],
  },
  BatchNormalization: {
    keys: [
      'axis',
      'momentum',
      'epsilon',
      'center',
      'scale',
      'beta_initializer',
      'gamma_initializer',
      'moving_mean_initializer',
      'moving_variance_initializer',
    ],
  },
  LayerNormalization: {
    keys: ['axis', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer'],
    fixed: { rms_scaling: false },
  },
  // adapted: mean and variance are weights (ckpt's tfjs Normalization, custom/normalization.ts)
  Normalization: { keys: ['axis', 'invert'], fixed: { mean: null, variance: null } },
  Embedding: { keys: ['input_dim', 'output_dim', 'embeddings_initializer', 'mask_zero'] },
  LSTM: { keys: [...RNN_COMMON, 'recurrent_activation', 'unit_forget_bias'] },
  // reset_after=True (Keras's default) by ckpt's GRU (custom/gru.ts)
  GRU: { keys: [...RNN_COMMON, 'recurrent_activation', 'reset_after'] },
  SimpleRNN: { keys: RNN_COMMON },
  // ckpt's tfjs MultiHeadAttention (custom/multi-head-attention.ts): 3-D inputs, attention over axis 1
  MultiHeadAttention: {
    keys: [
      'num_heads',
      'key_dim',
      'value_dim',
      'dropout',
      'use_bias',
      'output_shape',
      'attention_axes',
      'kernel_initializer',
      'bias_initializer',
    ],
    fixed: { use_gate: false, sliding_window: null },
  },
  Bidirectional: { keys: ['merge_mode'], only: { merge_mode: ['concat', 'sum', 'mul', 'ave'] } },
  Dropout: { keys: ['rate', 'noise_shape', 'seed'] },
  Flatten: { keys: ['data_format'] },
  Reshape: { keys: ['target_shape'] },
  Permute: { keys: ['dims'] },
  RepeatVector: { keys: ['n'] },
  Concatenate: { keys: ['axis'] },
  Add: none,
  Multiply: none,
  Maximum: none,
  Minimum: none,
  Average: none,
  Activation: { keys: ['activation'] },
  ReLU: { keys: ['max_value'], fixed: { negative_slope: 0, threshold: 0 } },
  LeakyReLU: { keys: ['negative_slope'], renamed: { negative_slope: 'alpha' } },
  // tfjs 4.22's ELU layer refuses any other alpha.
  ELU: { keys: ['alpha'], only: { alpha: [1] } },
  Softmax: { keys: ['axis'] },
  PReLU: { keys: ['alpha_initializer', 'shared_axes'] },
  Rescaling: { keys: ['scale', 'offset'] },
  ZeroPadding2D: { keys: ['padding', 'data_format'] },
  Cropping2D: { keys: ['cropping', 'data_format'] },
  // tfjs resizes bilinearly without half-pixel centres, Keras 3 with them: only nearest computes the same.
  UpSampling2D: { keys: ['size', 'data_format', 'interpolation'], only: { interpolation: ['nearest'] } },
  MaxPooling1D: pooling,
  MaxPooling2D: pooling,
  MaxPooling3D: pooling,
  AveragePooling1D: pooling,
  AveragePooling2D: pooling,
  AveragePooling3D: pooling,
  GlobalAveragePooling1D: globalPooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling1D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
}

/** Layers whose single input is a list of tensors. */
export const MERGE_LAYERS: ReadonlySet<string> = new Set(['Concatenate', 'Add', 'Multiply', 'Maximum', 'Minimum', 'Average'])

/** Layers called on two or more tensors as positional arguments (query, value[, key]), with how many. */
export const POSITIONAL_INPUTS: Readonly<Record<string, readonly [number, number]>> = { MultiHeadAttention: [2, 3] }

/** The layers a Bidirectional layer may wrap. */
export const WRAPPABLE: ReadonlyArray<string> = ['LSTM', 'GRU', 'SimpleRNN']

/**
 * Activations defined the same way in tfjs and Keras 3, by tfjs name → Keras 3 name. Not tfjs's `hard_sigmoid`
 * (slope 0.2; Keras 3's is relu6(x + 3) / 6, ckpt's tfjs `keras_hard_sigmoid`). `hard_silu` is ckpt's too
 * (custom/activations.ts). Keras 3 writes `swish` as `silu` and `hard_swish` as `hard_silu`; it reads both.
 */
export const ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  swish: 'silu',
  mish: 'mish',
  gelu: 'gelu',
  hard_silu: 'hard_silu',
  keras_hard_sigmoid: 'hard_sigmoid',
}

/** Keys that must be null (regularizers, constraints): ckpt does not translate them. */
export const MUST_BE_NULL = /_(regularizer|constraint)$/

/** Values tfjs leaves out of its config where Keras writes them. */
export const DEFAULTS: Readonly<Record<string, Json>> = {
  mask_zero: false,
  unit_forget_bias: true,
  data_format: 'channels_last',
  keepdims: false,
  reset_after: false,
}
