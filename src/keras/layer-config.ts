import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { supportedLayers } from './layers.js'

/**
 * One layer's config between tfjs's `toJSON()` (snake_case keys, `class_name`/`config`) and Keras 3's
 * `serialize_keras_object`: the keys kept per class, activations and initializers that mean the same in both. Pure.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type Obj = { [k: string]: Json }

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export const unsupportedField = (layer: string, field: string, value: unknown, accepted: string): KerasFormatError => ({
  _tag: 'UnsupportedConfig',
  layer,
  field,
  value,
  message: `ckpt/keras: layer '${layer}': ${field}=${JSON.stringify(value)} has no exact equivalent between tfjs and Keras 3; accepted: ${accepted}`,
})

/** Activations defined the same way in tfjs and Keras 3 (not `hard_sigmoid`: slope 0.2 in tfjs, 1/6 in Keras 3). */
const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'elu', 'selu', 'swish']

/** Config keys copied as they are, per layer class (besides name, trainable, dtype). */
const KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  Dense: ['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer'],
  Conv2D: [
    'filters',
    'kernel_size',
    'strides',
    'padding',
    'data_format',
    'dilation_rate',
    'activation',
    'use_bias',
    'kernel_initializer',
    'bias_initializer',
  ],
  BatchNormalization: [
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
  Embedding: ['input_dim', 'output_dim', 'embeddings_initializer', 'mask_zero'],
  LSTM: [
    'units',
    'activation',
    'recurrent_activation',
    'use_bias',
    'kernel_initializer',
    'recurrent_initializer',
    'bias_initializer',
    'unit_forget_bias',
    'dropout',
    'recurrent_dropout',
    'return_sequences',
    'return_state',
    'go_backwards',
    'stateful',
    'unroll',
  ],
  GRU: [
    'units',
    'activation',
    'recurrent_activation',
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
  ],
  Dropout: ['rate', 'noise_shape', 'seed'],
  Flatten: ['data_format'],
  Concatenate: ['axis'],
  Add: [],
}

/** Keys that must be null (regularizers, constraints): ckpt does not translate them. */
const MUST_BE_NULL = /_(regularizer|constraint)$/

const DEFAULTS: Readonly<Record<string, Json>> = { mask_zero: false, unit_forget_bias: true, data_format: 'channels_last' }

/** Initializer class names in tfjs and Keras 3 that mean the same thing, with the config keys kept. */
const INITIALIZERS: Readonly<Record<string, { readonly tfjs: string; readonly keys: ReadonlyArray<string> }>> = {
  Zeros: { tfjs: 'Zeros', keys: [] },
  Ones: { tfjs: 'Ones', keys: [] },
  Constant: { tfjs: 'Constant', keys: ['value'] },
  RandomUniform: { tfjs: 'RandomUniform', keys: ['minval', 'maxval', 'seed'] },
  RandomNormal: { tfjs: 'RandomNormal', keys: ['mean', 'stddev', 'seed'] },
  TruncatedNormal: { tfjs: 'TruncatedNormal', keys: ['mean', 'stddev', 'seed'] },
  Orthogonal: { tfjs: 'Orthogonal', keys: ['gain', 'seed'] },
  Identity: { tfjs: 'Identity', keys: ['gain'] },
  GlorotUniform: { tfjs: 'GlorotUniform', keys: ['seed'] },
  GlorotNormal: { tfjs: 'GlorotNormal', keys: ['seed'] },
  HeUniform: { tfjs: 'HeUniform', keys: ['seed'] },
  HeNormal: { tfjs: 'HeNormal', keys: ['seed'] },
  LecunUniform: { tfjs: 'LeCunUniform', keys: ['seed'] },
  LecunNormal: { tfjs: 'LeCunNormal', keys: ['seed'] },
  VarianceScaling: { tfjs: 'VarianceScaling', keys: ['scale', 'mode', 'distribution', 'seed'] },
}
const TFJS_INITIALIZER_TO_KERAS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(INITIALIZERS).map(([k, v]) => [v.tfjs, k]),
)

const pick = (config: Obj, keys: ReadonlyArray<string>): Obj =>
  Object.fromEntries(keys.filter((k) => k in config).map((k) => [k, config[k] as Json]))

const initializerToKeras = (layer: string, field: string, v: Json): E.Either<KerasFormatError, Json> => {
  if (v === null) return E.right(null)
  if (!isObj(v) || typeof v['class_name'] !== 'string') return E.left(unsupportedField(layer, field, v, 'an initializer object'))
  const keras = TFJS_INITIALIZER_TO_KERAS[v['class_name']]
  if (keras === undefined)
    return E.left(
      unsupportedField(
        layer,
        field,
        v['class_name'],
        Object.values(INITIALIZERS)
          .map((i) => i.tfjs)
          .join(', '),
      ),
    )
  const config = pick(isObj(v['config']) ? v['config'] : {}, (INITIALIZERS[keras] as { keys: ReadonlyArray<string> }).keys)
  // tfjs's VarianceScaling 'normal' draws from a truncated normal, Keras 3 calls that 'truncated_normal'.
  if (keras === 'VarianceScaling' && config['distribution'] === 'normal') config['distribution'] = 'truncated_normal'
  return E.right({ module: 'keras.initializers', class_name: keras, config, registered_name: null })
}

const initializerToTfjs = (layer: string, field: string, v: Json): E.Either<KerasFormatError, Json> => {
  if (v === null) return E.right(null)
  if (typeof v === 'string') return E.left(unsupportedField(layer, field, v, 'a serialized initializer object'))
  if (!isObj(v) || typeof v['class_name'] !== 'string') return E.left(unsupportedField(layer, field, v, 'an initializer object'))
  const spec = INITIALIZERS[v['class_name']]
  if (spec === undefined) return E.left(unsupportedField(layer, field, v['class_name'], Object.keys(INITIALIZERS).join(', ')))
  const config = pick(isObj(v['config']) ? v['config'] : {}, spec.keys)
  if (v['class_name'] === 'VarianceScaling') {
    const d = config['distribution']
    if (d === 'truncated_normal') config['distribution'] = 'normal'
    else if (d !== 'uniform') return E.left(unsupportedField(layer, `${field}.distribution`, d, "'truncated_normal', 'uniform'"))
  }
  return E.right({ class_name: spec.tfjs, config })
}

export const translateLayer = (className: string, config: Obj, direction: 'toKeras' | 'toTfjs'): E.Either<KerasFormatError, Obj> => {
  const name = typeof config['name'] === 'string' ? config['name'] : className
  const keys = KEYS[className]
  if (keys === undefined) {
    return E.left({
      _tag: 'UnsupportedLayer',
      layer: name,
      className,
      message: `ckpt/keras: layer '${name}' (${className}) has no Keras 3 mapping in ckpt. Supported layers: ${supportedLayers.join(', ')}`,
    })
  }
  for (const [k, v] of Object.entries(config))
    if (MUST_BE_NULL.test(k) && v !== null)
      return E.left(unsupportedField(name, k, v, 'null (ckpt does not translate regularizers or constraints)'))
  const out: Obj = { name, trainable: config['trainable'] ?? true }
  for (const k of keys) {
    let v: Json = k in config ? (config[k] as Json) : null
    if (v === null && k in DEFAULTS) v = DEFAULTS[k] as Json
    if (k.endsWith('_initializer')) {
      const t = direction === 'toKeras' ? initializerToKeras(name, k, v) : initializerToTfjs(name, k, v)
      if (E.isLeft(t)) return t
      v = t.right
    } else if (k === 'activation' || k === 'recurrent_activation') {
      if (typeof v !== 'string' || !ACTIVATIONS.includes(v)) return E.left(unsupportedField(name, k, v, ACTIVATIONS.join(', ')))
    } else if (k === 'data_format' && v !== 'channels_last') {
      return E.left(unsupportedField(name, k, v, "'channels_last'"))
    }
    out[k] = v
  }
  if (direction === 'toKeras') {
    if (className === 'GRU') out['reset_after'] = false
    if (className === 'Conv2D') out['groups'] = 1
  } else {
    if (className === 'GRU' && config['reset_after'] !== false)
      return E.left(
        unsupportedField(name, 'reset_after', config['reset_after'] ?? true, 'false (tfjs GRU computes reset_after=False only)'),
      )
    if (className === 'Conv2D' && (config['groups'] ?? 1) !== 1) return E.left(unsupportedField(name, 'groups', config['groups'], '1'))
    if (className === 'BatchNormalization' && (config['renorm'] === true || config['synchronized'] === true)) {
      return E.left(unsupportedField(name, config['renorm'] === true ? 'renorm' : 'synchronized', true, 'false'))
    }
    if ('quantization_config' in config && config['quantization_config'] !== null)
      return E.left(unsupportedField(name, 'quantization_config', config['quantization_config'], 'null'))
  }
  return E.right(out)
}

export const dtypeOfKeras = (v: Json | undefined): Json =>
  isObj(v) && isObj(v['config']) ? (v['config']['name'] ?? 'float32') : (v ?? 'float32')
