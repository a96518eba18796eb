import { isObj, type Json, type Obj } from './layer-config.js'

/**
 * Models used as layers (a Sequential or Functional model inside another), between tfjs and Keras 3. Pure.
 *
 * Both frameworks write a nested model as a layer entry whose `config` is the model's own config. They number its
 * calls differently: tfjs gives every model a call of its own at construction (node 0, its inputs to its outputs),
 * so its calls in an outer graph are nodes 1, 2…; Keras 3.15 numbers them from 0 (measured: a nested Functional's
 * and a nested Sequential's first call is `[name, 0, 0]` in config.json). A reference to a nested model's call is
 * therefore shifted by one between the two. Keras's `input_layers`/`output_layers` are the exception: there a nested
 * Functional's (not a Sequential's) calls are numbered from 1, as tfjs numbers them (functional.py's
 * `node_reindexing_map` and `get_tensor`, measured: an output that is a nested Functional's first call is `[name, 1, 0]`).
 */

/** tfjs class names of models (`tf.model` is 'Model', or 'Functional' when read from JSON) and Keras 3's. */
const TFJS_MODELS: ReadonlySet<string> = new Set(['Sequential', 'Model', 'Functional'])

/** Whether a layer entry's class is a model (either framework's name). */
export const isModelClass = (className: unknown): boolean => typeof className === 'string' && TFJS_MODELS.has(className)

/** The Keras 3 class of a model layer: Sequential, or Functional for tfjs's 'Model'. */
export const kerasModelClass = (className: string): string => (className === 'Sequential' ? 'Sequential' : 'Functional')

/** The node index a reference to `className`'s call has in tfjs, from Keras's (`+1` for a model), and back (`-1`). */
const shift = (className: string | undefined, node: number, toTfjs: boolean): number =>
  isModelClass(className) ? node + (toTfjs ? 1 : -1) : node

/**
 * A `[layer, node, tensor, …]` reference with its node index shifted for the model it points at; an `endpoint`
 * (`input_layers`/`output_layers`) only when that model is a Sequential.
 */
const shifted = (classes: ReadonlyMap<string, string>, r: unknown, toTfjs: boolean, endpoint = false): unknown =>
  Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'number' && (!endpoint || classes.get(r[0]) === 'Sequential')
    ? [r[0], shift(classes.get(r[0]), r[1], toTfjs), ...(r.slice(2) as unknown[])]
    : r

/**
 * A tfjs topology's `config` (layers and endpoints, as translated from Keras) with every reference to a nested
 * model's call numbered as tfjs numbers it.
 */
export const refsToTfjs = (config: Obj): Obj => {
  const layers = config['layers'] as ReadonlyArray<Obj>
  const classes = new Map(layers.map((l) => [l['name'] as string, l['class_name'] as string]))
  return {
    ...config,
    layers: layers.map((l) => ({
      ...l,
      inbound_nodes: (l['inbound_nodes'] as ReadonlyArray<ReadonlyArray<unknown>>).map((node) =>
        node.map((r) => shifted(classes, r, true)),
      ) as Json,
    })),
    input_layers: (config['input_layers'] as ReadonlyArray<unknown>).map((r) => shifted(classes, r, true, true)) as Json,
    output_layers: (config['output_layers'] as ReadonlyArray<unknown>).map((r) => shifted(classes, r, true, true)) as Json,
  }
}

/**
 * A Keras 3 Functional `config` (as translated from tfjs) with every `keras_history` and endpoint that points at a
 * nested model's call numbered as Keras numbers it.
 */
export const refsToKeras = (config: Obj): Obj => {
  const layers = config['layers'] as ReadonlyArray<Obj>
  const classes = new Map(layers.map((l) => [l['name'] as string, l['class_name'] as string]))
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk)
    if (!isObj(v)) return v
    if (v['class_name'] === '__keras_tensor__' && isObj(v['config']))
      return { ...v, config: { ...v['config'], keras_history: shifted(classes, v['config']['keras_history'], false) as Json } }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
  }
  const endpoint = (e: Json | undefined): Json =>
    Array.isArray(e) && typeof e[0] === 'string'
      ? (shifted(classes, e, false, true) as Json)
      : Array.isArray(e)
        ? e.map(endpoint)
        : (e ?? null)
  return {
    ...config,
    layers: layers.map((l) => ({ ...l, inbound_nodes: walk(l['inbound_nodes'] ?? []) })),
    input_layers: endpoint(config['input_layers']),
    output_layers: endpoint(config['output_layers']),
  }
}
