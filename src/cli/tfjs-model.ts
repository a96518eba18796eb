import * as E from '#fp-ts/Either.js'
import { ELEMENT_BYTES } from '../adapters/tfjs/layout.js'

/** One weight of a tfjs `weightsManifest`. */
export interface TfjsWeight {
  readonly name: string
  readonly dtype: string
  readonly shape: ReadonlyArray<number>
  /** The manifest's `group` (`'optimizer'` for optimizer weights), null when absent. */
  readonly group: string | null
  /** The stored dtype when quantized (`uint8`, `uint16`, `float16`), else null. */
  readonly quantization: string | null
  /** Bytes in the weight files, null when it cannot be known (string weights). */
  readonly bytes: number | null
}

/** One manifest group: its files hold its weights back to back. */
export interface TfjsWeightGroup {
  readonly paths: ReadonlyArray<string>
  readonly weights: ReadonlyArray<TfjsWeight>
  /** Sum of the weights' bytes, null when one of them is unknown. */
  readonly bytes: number | null
}

export interface TfjsModel {
  /** `layers-model` or `graph-model`, null when absent (older files). */
  readonly format: string | null
  readonly generatedBy: string | null
  readonly convertedBy: string | null
  readonly topology: {
    readonly className: string | null
    readonly name: string | null
    /** Top-level layers (layers models), null when the topology has no layer list. */
    readonly layers: number | null
    /** Top-level layer class names, in order. */
    readonly layerClasses: ReadonlyArray<string>
    /** Graph nodes (graph models), else null. */
    readonly nodes: number | null
  }
  readonly groups: ReadonlyArray<TfjsWeightGroup>
  /** The training config's optimizer class (`includeOptimizer: true` saves), null when absent. */
  readonly optimizerClass: string | null
  readonly loss: unknown
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
const str = (u: unknown): string | null => (typeof u === 'string' ? u : null)

const classOf = (layer: unknown): string => (isObject(layer) && typeof layer.class_name === 'string' ? layer.class_name : '?')

/**
 * Reads a tfjs `model.json` (tfjs-layers `model.save`, or tensorflowjs_converter output): the topology's class
 * and top-level layers (`modelTopology` itself, or its `model_config` in converted Keras models), each
 * weight of the `weightsManifest` with its byte size, and the optimizer from `trainingConfig`.
 * A Left names the field that does not fit.
 */
export const parseTfjsModel = (json: unknown): E.Either<string, TfjsModel> => {
  if (!isObject(json)) return E.left('the top level must be an object with modelTopology and weightsManifest')
  const mt = json.modelTopology
  if (!isObject(mt))
    return E.left(`"modelTopology": got ${mt === undefined ? 'nothing' : JSON.stringify(mt).slice(0, 60)}; expected an object`)
  const format = str(json.format)
  const groups: TfjsWeightGroup[] = []
  const manifest = json.weightsManifest ?? []
  if (!Array.isArray(manifest)) return E.left('"weightsManifest" must be an array of {paths, weights} groups')
  for (const [gi, g] of manifest.entries()) {
    if (!isObject(g) || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string'))
      return E.left(`"weightsManifest[${gi}].paths" must be an array of file names`)
    if (!Array.isArray(g.weights)) return E.left(`"weightsManifest[${gi}].weights" must be an array of {name, shape, dtype}`)
    const weights: TfjsWeight[] = []
    for (const [wi, w] of g.weights.entries()) {
      const at = `weightsManifest[${gi}].weights[${wi}]`
      if (!isObject(w) || typeof w.name !== 'string') return E.left(`"${at}.name" must be a string`)
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
        return E.left(`"${at}.shape" (weight ${JSON.stringify(w.name)}) must be an array of integers >= 0`)
      if (typeof w.dtype !== 'string') return E.left(`"${at}.dtype" (weight ${JSON.stringify(w.name)}) must be a string`)
      const q = isObject(w.quantization) ? str(w.quantization.dtype) : null
      const count = (w.shape as number[]).reduce((a, b) => a * b, 1)
      const per = ELEMENT_BYTES[q ?? w.dtype]
      weights.push({
        name: w.name,
        dtype: w.dtype,
        shape: w.shape as number[],
        group: str(w.group),
        quantization: q,
        bytes: per === undefined ? null : count * per,
      })
    }
    const bytes = weights.every((w) => w.bytes !== null) ? weights.reduce((n, w) => n + (w.bytes ?? 0), 0) : null
    groups.push({ paths: g.paths, weights, bytes })
  }
  // tfjs-layers saves the model config itself; Keras conversions wrap it in model_config.
  const topo = isObject(mt.model_config) ? mt.model_config : mt
  const config = topo.config
  const layerList = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : null
  const nodes = format === 'graph-model' && Array.isArray(mt.node) ? mt.node.length : null
  const training = isObject(json.trainingConfig) ? json.trainingConfig : isObject(mt.training_config) ? mt.training_config : null
  const optimizerConfig = training !== null && isObject(training.optimizer_config) ? training.optimizer_config : null
  return E.right({
    format,
    generatedBy: str(json.generatedBy),
    convertedBy: str(json.convertedBy),
    topology: {
      className: str(topo.class_name) ?? (format === 'graph-model' ? 'GraphModel' : null),
      name: isObject(config) ? str(config.name) : null,
      layers: layerList === null ? null : layerList.length,
      layerClasses: layerList === null ? [] : layerList.map(classOf),
      nodes,
    },
    groups,
    optimizerClass: optimizerConfig === null ? null : str(optimizerConfig.class_name),
    loss: training?.loss ?? null,
  })
}
