import * as E from '#fp-ts/Either.js'
import { jsonText, type KerasFormatError } from './errors.js'
import { LOSSES } from './supported.js'
import {
  functionalLayerOrder,
  functionalToKeras,
  functionalToTfjs,
  type NestedModels,
  type OrderedLayer,
  type TensorSpecs,
} from './functional.js'
import { isModelClass, kerasModelClass } from './nested.js'
import { classesOf } from './layer-classes.js'
import { checkMaskAgreement } from './mask-agreement.js'
import { dtypeOfKeras, isObj, translateLayer, unsupportedField, type Json, type Obj } from './layer-config.js'

/**
 * Model topology between tfjs's `model.toJSON()` (Keras-2-style JSON: snake_case keys, `class_name`/`config`)
 * and Keras 3's `config.json` (`serialize_keras_object`): Sequential models here, Functional ones in
 * `functional.ts`, of the layers in `layers.ts`. Pure.
 */

const notSequential = (what: string): KerasFormatError => ({
  _tag: 'UnsupportedConfig',
  layer: '(model)',
  field: 'class_name',
  value: what,
  message: `ckpt/keras: .keras topology translation supports Sequential and Functional models; got ${what}. Use .weights.h5 (saveKerasWeights/loadKerasWeights) with the architecture built in both frameworks`,
})

/** Models inside a Functional model translate as whole models do (functional.ts calls back here). */
const nestedModels = (specs?: TensorSpecs): NestedModels => ({
  toTfjs: (keras) => kerasToTfjsConfig(keras),
  toKeras: (tfjs) => tfjsToKerasConfig(tfjs, specs),
  order: (keras) => kerasLayerOrder(keras),
})

/** The batch input shape of a tfjs Sequential's first layer, or of the first input of a model there. */
const inputShapeOf = (first: unknown): Json | undefined => {
  if (!isObj(first) || !isObj(first['config'])) return undefined
  const config = first['config']
  if (!isModelClass(first['class_name'])) return config['batch_input_shape']
  const layers = Array.isArray(config['layers']) ? config['layers'] : []
  return inputShapeOf(first['class_name'] === 'Sequential' ? layers[0] : layers.find((l) => isObj(l) && l['class_name'] === 'InputLayer'))
}

/**
 * Keras 3 `config.json` content (without `compile_config`) for a tfjs model's `toJSON(null, false)`:
 * a Sequential model, or a Functional one (`class_name` 'Model', from `tf.model({inputs, outputs})`).
 * `specs` gives the shape and dtype of each layer output, which Keras 3 writes into every node's input
 * tensors (see `tensorSpecsOf`); without it those are written as null, which Keras ignores on load.
 */
export const tfjsToKerasConfig = (tfjsTopology: unknown, specs?: TensorSpecs): E.Either<KerasFormatError, Obj> => {
  if (isObj(tfjsTopology) && (tfjsTopology['class_name'] === 'Model' || tfjsTopology['class_name'] === 'Functional'))
    return E.flatMap(checkMaskAgreement)(functionalToKeras(tfjsTopology, nestedModels(specs), specs))
  if (!isObj(tfjsTopology) || tfjsTopology['class_name'] !== 'Sequential' || !isObj(tfjsTopology['config'])) {
    return E.left(notSequential(isObj(tfjsTopology) ? jsonText(tfjsTopology['class_name']) : typeof tfjsTopology))
  }
  const config = tfjsTopology['config']
  const layers = Array.isArray(config['layers']) ? config['layers'] : []
  const first = layers[0]
  const batchShape = inputShapeOf(first)
  if (!Array.isArray(batchShape))
    return E.left(unsupportedField('(model)', 'batch_input_shape', batchShape ?? null, 'an input shape on the first layer'))
  const inputDtype = isObj(first) && isObj(first['config']) ? (first['config']['dtype'] ?? 'float32') : 'float32'
  const out: Json[] = [
    {
      module: 'keras.layers',
      class_name: 'InputLayer',
      config: { batch_shape: batchShape, dtype: inputDtype, sparse: false, ragged: false, name: 'input_layer', optional: false },
      registered_name: null,
    },
  ]
  const refused = classesOf(layers)
  if (refused !== null) return E.left(refused)
  for (const l of layers) {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || !isObj(l['config'])) return E.left(notSequential('a malformed layer entry'))
    if (isModelClass(l['class_name'])) {
      const inner = tfjsToKerasConfig(l, specs)
      if (E.isLeft(inner)) return inner
      out.push(inner.right)
      continue
    }
    const t = translateLayer(l['class_name'], l['config'], 'toKeras')
    if (E.isLeft(t)) return t
    out.push({ module: 'keras.layers', class_name: l['class_name'], config: { ...t.right, dtype: 'float32' }, registered_name: null })
  }
  return checkMaskAgreement({
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: typeof config['name'] === 'string' ? config['name'] : 'sequential',
      trainable: config['trainable'] !== false,
      dtype: 'float32',
      layers: out,
    },
    registered_name: null,
    build_config: { input_shape: batchShape },
  })
}

/** tfjs model topology (for `tfl.models.modelFromJSON`) from a Keras 3 `config.json` of a Sequential or Functional model. */
export const kerasToTfjsConfig = (kerasConfig: unknown): E.Either<KerasFormatError, Obj> => {
  if (isObj(kerasConfig) && kerasConfig['class_name'] === 'Functional')
    return E.flatMap(() => functionalToTfjs(kerasConfig, nestedModels()))(checkMaskAgreement(kerasConfig))
  if (!isObj(kerasConfig) || kerasConfig['class_name'] !== 'Sequential' || !isObj(kerasConfig['config'])) {
    return E.left(notSequential(isObj(kerasConfig) ? jsonText(kerasConfig['class_name']) : typeof kerasConfig))
  }
  const agreed = checkMaskAgreement(kerasConfig)
  if (E.isLeft(agreed)) return agreed
  const config = kerasConfig['config']
  const layers = Array.isArray(config['layers']) ? config['layers'] : []
  let batchShape: Json = config['build_input_shape'] ?? null
  const out: Obj[] = []
  const refused = classesOf(layers)
  if (refused !== null) return E.left(refused)
  for (const l of layers) {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || !isObj(l['config'])) return E.left(notSequential('a malformed layer entry'))
    if (l['class_name'] === 'InputLayer') {
      batchShape = l['config']['batch_shape'] ?? l['config']['batch_input_shape'] ?? null
      continue
    }
    if (isModelClass(l['class_name'])) {
      const inner = kerasToTfjsConfig(l)
      if (E.isLeft(inner)) return inner
      out.push(inner.right)
      continue
    }
    const t = translateLayer(l['class_name'], l['config'], 'toTfjs')
    if (E.isLeft(t)) return t
    const dtype = dtypeOfKeras(l['config']['dtype'])
    if (dtype !== 'float32') return E.left(unsupportedField(jsonText(t.right['name']), 'dtype', dtype, "'float32'"))
    out.push({ class_name: l['class_name'], config: { ...t.right, dtype: 'float32' } })
  }
  if (!Array.isArray(batchShape) || out.length === 0)
    return E.left(unsupportedField('(model)', 'batch_shape', batchShape, 'an InputLayer or build_input_shape, and at least one layer'))
  const firstConfig = (out[0] as Obj)['config'] as Obj
  firstConfig['batch_input_shape'] = batchShape
  return E.right({
    class_name: 'Sequential',
    config: { name: typeof config['name'] === 'string' ? config['name'] : 'sequential', layers: out },
  })
}

/**
 * The layers of the model a Keras 3 `config.json` describes, in Keras's `model.layers` order (the order of
 * the weights file's `layers/…` groups): Sequential models in config order without the InputLayer, Functional
 * models in graph order (see `functionalLayerOrder`).
 */
export const kerasLayerOrder = (kerasConfig: unknown): E.Either<KerasFormatError, ReadonlyArray<OrderedLayer>> => {
  if (isObj(kerasConfig) && kerasConfig['class_name'] === 'Functional') return functionalLayerOrder(kerasConfig, nestedModels())
  if (!isObj(kerasConfig) || kerasConfig['class_name'] !== 'Sequential' || !isObj(kerasConfig['config'])) {
    return E.left(notSequential(isObj(kerasConfig) ? jsonText(kerasConfig['class_name']) : typeof kerasConfig))
  }
  const layers = Array.isArray(kerasConfig['config']['layers']) ? kerasConfig['config']['layers'] : []
  const out: OrderedLayer[] = []
  for (const l of layers) {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || !isObj(l['config'])) return E.left(notSequential('a malformed layer entry'))
    if (isModelClass(l['class_name'])) {
      const inner = kerasLayerOrder(l)
      if (E.isLeft(inner)) return inner
      out.push({ name: jsonText(l['config']['name']), className: kerasModelClass(l['class_name']), layers: inner.right })
    } else if (l['class_name'] !== 'InputLayer') out.push({ name: jsonText(l['config']['name']), className: l['class_name'] })
  }
  return E.right(out)
}

const KERAS_LOSS_ALIASES: Readonly<Record<string, string>> = { mse: 'meanSquaredError', mae: 'meanAbsoluteError' }

/** The tfjs loss name for a Keras loss identifier, or null. */
export const tfjsLoss = (keras: unknown): string | null => {
  if (typeof keras !== 'string') return null
  if (keras in KERAS_LOSS_ALIASES) return KERAS_LOSS_ALIASES[keras] as string
  const hit = Object.entries(LOSSES).find(([, k]) => k === keras)
  return hit ? hit[0] : null
}
