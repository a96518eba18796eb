import * as E from '#fp-ts/Either.js'
import { jsonText, type KerasFormatError } from './errors.js'
import { isObj, unsupportedField, type Obj } from './layer-config.js'

/**
 * Whether an Embedding's `mask_zero` means the same in tfjs and Keras 3 for the model around it. The two carry the
 * mask differently: Keras 3 passes it through the layers that support masking and drops it at any other; tfjs 4.22's
 * predict hands the last mask it saw to every later layer (its executor keeps it in one `kwargs`), and its
 * GlobalAveragePooling1D ignores it. A layer that reads the mask then computes other numbers in each (checked against
 * Keras 3.15, test/keras/masked-embedding-interop.test.ts), so such a model is refused by the Embedding's mask_zero.
 * Works on the Keras 3 config, both ways. Pure.
 */

const RNNS = new Set(['LSTM', 'GRU', 'SimpleRNN'])
/** Layers that read the mask in tfjs (whatever mask it hands them), and in Keras 3 when it reaches them. */
const TFJS_READS = new Set([...RNNS, 'Bidirectional', 'Softmax'])
/** Layers that read the mask in Keras 3 only. */
const KERAS_ONLY_READS = new Set(['GlobalAveragePooling1D'])
/** Keras 3 layers with `supports_masking` that pass the mask on as it is (RNNs pass it on with return_sequences). */
const KERAS_PASSES = new Set([
  'Dense',
  'BatchNormalization',
  'LayerNormalization',
  'Dropout',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'PReLU',
  'Softmax',
  'Rescaling',
  'Concatenate',
  'Add',
  'Multiply',
  'Maximum',
  'Minimum',
  'Average',
])

interface ConfigLayer {
  readonly className: string
  readonly config: Obj
}

const layersOf = (kerasConfig: Obj): ReadonlyArray<ConfigLayer> => {
  const config = isObj(kerasConfig['config']) ? kerasConfig['config'] : {}
  const layers = Array.isArray(config['layers']) ? config['layers'] : []
  return layers.flatMap((l) =>
    isObj(l) && typeof l['class_name'] === 'string' && isObj(l['config']) ? [{ className: l['class_name'], config: l['config'] }] : [],
  )
}

const isMasking = (l: ConfigLayer): boolean => l.className === 'Embedding' && l.config['mask_zero'] === true

/** Whether Keras 3 passes a mask on past `l`. */
const kerasPasses = (l: ConfigLayer): boolean => {
  if (RNNS.has(l.className)) return l.config['return_sequences'] === true
  if (l.className === 'Bidirectional') {
    const inner = l.config['layer']
    return isObj(inner) && isObj(inner['config']) && inner['config']['return_sequences'] === true
  }
  return KERAS_PASSES.has(l.className)
}

const refuse = (embedding: ConfigLayer, reader: ConfigLayer, why: string): KerasFormatError =>
  unsupportedField(
    jsonText(embedding.config['name']),
    'mask_zero',
    true,
    `false here: layer '${jsonText(reader.config['name'])}' (${reader.className}) ${why} (Keras 3 passes a mask through the layers that support masking and drops it at others; tfjs 4.22 hands it to every later layer, and its GlobalAveragePooling1D ignores it)`,
  )

/**
 * The Keras 3 `config` itself, or Left naming the masking Embedding when a layer after it would see another mask in
 * tfjs than in Keras 3. A Sequential model is followed layer by layer; in a Functional one, whose order of execution
 * tfjs picks, a masking Embedding and any layer that reads a mask are refused together.
 */
export const checkMaskAgreement = (kerasConfig: Obj): E.Either<KerasFormatError, Obj> => {
  const layers = layersOf(kerasConfig)
  const first = layers.find(isMasking)
  if (first === undefined) return E.right(kerasConfig)
  if (kerasConfig['class_name'] !== 'Sequential') {
    const reader = layers.find((l) => TFJS_READS.has(l.className) || KERAS_ONLY_READS.has(l.className))
    return reader === undefined ? E.right(kerasConfig) : E.left(refuse(first, reader, 'reads a mask, in a Functional model'))
  }
  let embedding: ConfigLayer | null = null
  let kerasMasked = false
  for (const l of layers) {
    if (embedding !== null) {
      if (TFJS_READS.has(l.className) && !kerasMasked)
        return E.left(refuse(embedding, l, 'reads the mask in tfjs, and Keras 3 drops it before'))
      if (KERAS_ONLY_READS.has(l.className) && kerasMasked)
        return E.left(refuse(embedding, l, 'reads the mask in Keras 3, and not in tfjs'))
    }
    if (isMasking(l)) {
      embedding = l
      kerasMasked = true
    } else kerasMasked = kerasMasked && kerasPasses(l)
  }
  return E.right(kerasConfig)
}
