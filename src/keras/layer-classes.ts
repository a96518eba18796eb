import type { KerasFormatError } from './errors.js'
import { isObj } from './layer-config.js'
import { unsupportedLayers } from './layers.js'
import { isMappedOp, isOpEntry, OP_CLASS, opClassName } from './ops-nodes.js'
import { isModelClass } from './nested.js'

/**
 * Every layer of a config's layer list (tfjs or Keras 3 JSON) whose class ckpt does not map, in one error, so that
 * a model is refused naming all of them at once; null when every class maps (malformed entries are left to the
 * translation, which names them). Operation nodes ckpt maps (ops-nodes.ts) are not layers; others are named
 * as `ops.numpy.Mean`. A nested model's layers are listed in its place. Pure.
 */
export const classesOf = (layers: ReadonlyArray<unknown>): KerasFormatError | null => unsupportedLayers(classList(layers))

/** The layers of a layer list, a nested model's (nested.ts) in its place. */
const classList = (layers: ReadonlyArray<unknown>): ReadonlyArray<{ name: string; className: string }> =>
  layers.flatMap((l) => {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || l['class_name'] === OP_CLASS) return []
    if (isOpEntry(l) && isMappedOp(l)) return []
    const config = isObj(l['config']) ? l['config'] : {}
    if (isModelClass(l['class_name'])) return classList(Array.isArray(config['layers']) ? config['layers'] : [])
    const name = typeof l['name'] === 'string' ? l['name'] : typeof config['name'] === 'string' ? config['name'] : l['class_name']
    return [{ name, className: isOpEntry(l) ? opClassName(l) : l['class_name'] }]
  })
