import type { KerasFormatError } from './errors.js'
import { isObj } from './layer-config.js'
import { unsupportedLayers } from './layers.js'

/**
 * Every layer of a config's layer list (tfjs or Keras 3 JSON) whose class ckpt does not map, in one error, so that
 * a model is refused naming all of them at once; null when every class maps (malformed entries are left to the
 * translation, which names them). Pure.
 */
export const classesOf = (layers: ReadonlyArray<unknown>): KerasFormatError | null =>
  unsupportedLayers(
    layers.flatMap((l) => {
      if (!isObj(l) || typeof l['class_name'] !== 'string') return []
      const config = isObj(l['config']) ? l['config'] : {}
      const name = typeof l['name'] === 'string' ? l['name'] : typeof config['name'] === 'string' ? config['name'] : l['class_name']
      return [{ name, className: l['class_name'] }]
    }),
  )
