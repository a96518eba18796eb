import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { unsupportedLayers } from './layers.js'
import { ACTIVATIONS, DEFAULTS, LAYER_SETTINGS, MUST_BE_NULL, WRAPPABLE, type Json, type LayerSettings } from './layer-settings.js'

/**
 * One layer's config between tfjs's `toJSON()` (snake_case keys, `class_name`/`config`) and Keras 3's
 * `serialize_keras_object`: the keys kept per class, activations and initializers that mean the same in both. Pure.
 */

export type { Json }
export type Obj = { [k: string]: Json }

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export const unsupportedField = (layer: string, field: string, value: unknown, accepted: string): KerasFormatError => ({
  _tag: 'UnsupportedConfig',
  layer,
  field,
  value,
  message: `ckpt/keras: layer '${layer}': ${field}=${JSON.stringify(value)} has no exact equivalent between tfjs and Keras 3; accepted: ${accepted}`,
})

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

const KERAS_ACTIVATION_TO_TFJS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(ACTIVATIONS).map(([t, k]) => [k, t])),
  swish: 'swish',
  hard_swish: 'hard_silu',
}

/** An activation name in the other framework's spelling, or an error naming what is accepted. */
const activation = (layer: string, field: string, v: Json, direction: Direction): E.Either<KerasFormatError, Json> => {
  const table = direction === 'toKeras' ? ACTIVATIONS : KERAS_ACTIVATION_TO_TFJS
  const out = typeof v === 'string' && Object.prototype.hasOwnProperty.call(table, v) ? table[v] : undefined
  return out === undefined ? E.left(unsupportedField(layer, field, v, Object.keys(table).join(', '))) : E.right(out)
}

/** Whether `v` is the fixed value `want` (a number also matches a list of that number). */
const isFixed = (v: Json | undefined, want: Json): boolean =>
  v === undefined || v === want || (typeof want === 'number' && Array.isArray(v) && v.length > 0 && v.every((x) => x === want))

type Direction = 'toKeras' | 'toTfjs'

/** Settings one of ckpt's tables does not cover: each layer class's own checks, in both directions. */
const checkSpecial = (className: string, name: string, config: Obj, direction: Direction): KerasFormatError | null => {
  if (className === 'Rescaling')
    for (const k of ['scale', 'offset'])
      if (k in config && typeof config[k] !== 'number')
        return unsupportedField(name, k, config[k], 'a number (tfjs rescales by scalars only)')
  if (className === 'MultiHeadAttention') {
    const axes = config['attention_axes']
    if (axes !== null && axes !== undefined && !(Array.isArray(axes) && axes.length === 1 && (axes[0] === 1 || axes[0] === -2)))
      return unsupportedField(name, 'attention_axes', axes, 'null or [1] (attention over axis 1 of 3-D inputs)')
    const out = config['output_shape']
    if (out !== null && out !== undefined && typeof out !== 'number' && !(Array.isArray(out) && out.length === 1))
      return unsupportedField(name, 'output_shape', out, 'null or one number')
  }
  if (direction === 'toKeras') return null
  if (
    className === 'GRU' &&
    config['reset_after'] !== false &&
    (Number(config['dropout'] ?? 0) > 0 || Number(config['recurrent_dropout'] ?? 0) > 0)
  )
    return unsupportedField(
      name,
      'dropout',
      config['dropout'] ?? null,
      "0.0 with reset_after=True (ckpt's tfjs GRU computes no dropout there)",
    )
  if (className === 'BatchNormalization' && (config['renorm'] === true || config['synchronized'] === true))
    return unsupportedField(name, config['renorm'] === true ? 'renorm' : 'synchronized', true, 'false')
  if ('quantization_config' in config && config['quantization_config'] !== null)
    return unsupportedField(name, 'quantization_config', config['quantization_config'], 'null')
  return null
}

/** A Bidirectional layer's wrapped layer(s); Keras writes the backward layer too, which must mirror the forward one. */
const translateWrapped = (name: string, config: Obj, direction: Direction): E.Either<KerasFormatError, Obj> => {
  const translateInner = (field: string, v: Json | undefined): E.Either<KerasFormatError, Obj> => {
    if (!isObj(v) || typeof v['class_name'] !== 'string' || !isObj(v['config']))
      return E.left(unsupportedField(name, field, v ?? null, 'a serialized LSTM, GRU or SimpleRNN layer'))
    if (!WRAPPABLE.includes(v['class_name']))
      return E.left(unsupportedField(name, `${field}.class_name`, v['class_name'], WRAPPABLE.join(', ')))
    if (direction === 'toTfjs') {
      const dtype = dtypeOfKeras(v['config']['dtype'])
      if (dtype !== 'float32') return E.left(unsupportedField(name, `${field}.dtype`, dtype, "'float32'"))
    }
    return E.map((c: Obj): Obj => ({ class_name: v['class_name'] as string, config: { ...c, dtype: 'float32' } }))(
      translateLayer(v['class_name'], v['config'], direction),
    )
  }
  const forward = translateInner('layer', config['layer'])
  if (E.isLeft(forward)) return forward
  if (direction === 'toTfjs' && config['backward_layer'] !== undefined && config['backward_layer'] !== null) {
    const backward = translateInner('backward_layer', config['backward_layer'])
    if (E.isLeft(backward)) return backward
    const f = forward.right['config'] as Obj
    const b = backward.right['config'] as Obj
    const mirrored = { ...b, name: f['name'], go_backwards: !b['go_backwards'] }
    if (backward.right['class_name'] !== forward.right['class_name'] || JSON.stringify(mirrored) !== JSON.stringify(f))
      return E.left(
        unsupportedField(name, 'backward_layer', b['name'] ?? null, 'the forward layer with go_backwards flipped (tfjs builds it so)'),
      )
  }
  const layer = forward.right
  return E.right(direction === 'toKeras' ? { layer: { module: 'keras.layers', ...layer, registered_name: null } } : { layer })
}

export const translateLayer = (className: string, config: Obj, direction: Direction): E.Either<KerasFormatError, Obj> => {
  const name = typeof config['name'] === 'string' ? config['name'] : className
  const settings: LayerSettings | undefined = Object.prototype.hasOwnProperty.call(LAYER_SETTINGS, className)
    ? LAYER_SETTINGS[className]
    : undefined
  if (settings === undefined) return E.left(unsupportedLayers([{ name, className }]) as KerasFormatError)
  for (const [k, v] of Object.entries(config))
    if (MUST_BE_NULL.test(k) && v !== null)
      return E.left(unsupportedField(name, k, v, 'null (ckpt does not translate regularizers or constraints)'))
  const special = checkSpecial(className, name, config, direction)
  if (special !== null) return E.left(special)
  const out: Obj = { name, trainable: config['trainable'] ?? true }
  for (const k of settings.keys) {
    // `k` is Keras's name; tfjs's may differ.
    const tfjsKey = settings.renamed?.[k] ?? k
    const from = direction === 'toKeras' ? tfjsKey : k
    let v: Json = from in config ? (config[from] as Json) : null
    if (v === null && k in DEFAULTS) v = DEFAULTS[k] as Json
    if (k.endsWith('_initializer')) {
      const t = direction === 'toKeras' ? initializerToKeras(name, k, v) : initializerToTfjs(name, k, v)
      if (E.isLeft(t)) return t
      v = t.right
    } else if (k === 'activation' || k === 'recurrent_activation') {
      const t = activation(name, k, v, direction)
      if (E.isLeft(t)) return t
      v = t.right
    } else if (k === 'data_format' && v !== 'channels_last') {
      return E.left(unsupportedField(name, k, v, "'channels_last'"))
    }
    const only = settings.only?.[k]
    if (only !== undefined && !only.includes(v)) return E.left(unsupportedField(name, k, v, only.map((o) => JSON.stringify(o)).join(', ')))
    out[direction === 'toKeras' ? k : tfjsKey] = v
  }
  for (const [k, want] of Object.entries(settings.fixed ?? {})) {
    if (direction === 'toKeras') out[k] = want
    else if (!isFixed(config[k], want)) return E.left(unsupportedField(name, k, config[k], `${JSON.stringify(want)} (what tfjs computes)`))
  }
  if (className === 'Bidirectional') {
    const wrapped = translateWrapped(name, config, direction)
    if (E.isLeft(wrapped)) return wrapped
    Object.assign(out, wrapped.right)
  }
  return E.right(out)
}

export const dtypeOfKeras = (v: Json | undefined): Json =>
  isObj(v) && isObj(v['config']) ? (v['config']['name'] ?? 'float32') : (v ?? 'float32')
