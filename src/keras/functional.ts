import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { dtypeOfKeras, isObj, translateLayer, unsupportedField, type Json, type Obj } from './layer-config.js'
import { MERGE_LAYERS, POSITIONAL_INPUTS } from './layer-settings.js'
import { classesOf } from './layer-classes.js'
import { isRef, kerasTensor, tensorRef, type Ref, type TensorSpecs } from './keras-tensor.js'
import { isMappedOp, isOpEntry, OP_CLASS, opToKeras, opToTfjs } from './ops-nodes.js'

export type { TensorSpecs }

/**
 * Functional model topology between tfjs (`tf.model({inputs, outputs})`, `toJSON()` class 'Model') and
 * Keras 3 (`keras.Model(inputs, outputs)`, class 'Functional'). Pure.
 *
 * - tfjs: each layer has `inbound_nodes: [[[layer, node, tensor, kwargs], ...], ...]`, one list per call;
 *   `input_layers`/`output_layers` are lists of `[layer, node, tensor]`.
 * - Keras 3 (`serialize_node`): each node is `{args, kwargs}`; a tensor is
 *   `{class_name: '__keras_tensor__', config: {shape, dtype, keras_history: [layer, node, tensor]}}`;
 *   merge layers take one list argument. `input_layers`/`output_layers` are one `[layer, node, tensor]` when the
 *   model was built with a single tensor, else a list of them (a dict for named structures: not translated).
 *
 * ckpt translates graphs where every layer is called once (no shared layers), takes one input (merge layers:
 * a list of two or more), produces one output tensor, and gets no call keyword arguments (no `mask`,
 * `initial_state`, `training`…). Anything else is refused, naming the layer.
 */

const refuse = (layer: string, field: string, value: unknown, accepted: string): KerasFormatError =>
  unsupportedField(layer, field, value, accepted)

/** A reference to the first output of the only call of a layer: the only kind ckpt translates. */
const checkRef = (layer: string, field: string, r: Ref): E.Either<KerasFormatError, Ref> =>
  r[1] !== 0 || r[2] !== 0
    ? E.left(refuse(layer, field, r, `[<layer>, 0, 0] (ckpt translates layers called once, with one output)`))
    : E.right(r)

/** `input_layers`/`output_layers` (either framework) as a list of refs; a dict structure is refused. */
const endpoints = (value: unknown, field: string): E.Either<KerasFormatError, ReadonlyArray<Ref>> => {
  if (isRef(value)) return E.map((r: Ref) => [r])(checkRef('(model)', field, [value[0], value[1], value[2]]))
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRef)) {
    return E.left(refuse('(model)', field, value, 'a [layer, node, tensor] triple or a non-empty list of them'))
  }
  const out: Ref[] = []
  for (const v of value) {
    const r = checkRef('(model)', field, [v[0], v[1], v[2]])
    if (E.isLeft(r)) return r
    out.push(r.right)
  }
  return E.right(out)
}

/** The model's input and output refs, each naming one of its layers. */
const modelEndpoints = (
  config: Obj,
  names: ReadonlySet<string>,
): E.Either<KerasFormatError, { inputs: ReadonlyArray<Ref>; outputs: ReadonlyArray<Ref> }> => {
  const inputs = endpoints(config['input_layers'], 'input_layers')
  if (E.isLeft(inputs)) return inputs
  const outputs = endpoints(config['output_layers'], 'output_layers')
  if (E.isLeft(outputs)) return outputs
  for (const [field, refs] of [
    ['input_layers', inputs.right],
    ['output_layers', outputs.right],
  ] as const) {
    const unknown = refs.find((r) => !names.has(r[0]))
    if (unknown !== undefined) return E.left(refuse('(model)', field, unknown[0], 'names of layers in the model'))
  }
  return E.right({ inputs: inputs.right, outputs: outputs.right })
}

/** The one inbound node of a layer (non-input layers), or an error naming the layer. */
const singleNode = (name: string, nodes: unknown): E.Either<KerasFormatError, unknown> => {
  if (!Array.isArray(nodes) || nodes.length !== 1) {
    return E.left(
      refuse(
        name,
        'inbound_nodes',
        Array.isArray(nodes) ? `${nodes.length} calls` : nodes,
        'exactly one call (shared layers are not translated)',
      ),
    )
  }
  return E.right(nodes[0])
}

/**
 * The inputs of one call, checked against the layer's class (one tensor, a list for merge layers, or as many
 * positional tensors as POSITIONAL_INPUTS says).
 */
const checkArity = (name: string, className: string, refs: ReadonlyArray<Ref>): E.Either<KerasFormatError, ReadonlyArray<Ref>> => {
  const [min, max] = POSITIONAL_INPUTS[className] ?? (MERGE_LAYERS.has(className) ? [2, Infinity] : [1, 1])
  if (refs.length < min || refs.length > max) {
    const accepted = max === Infinity ? 'a list of two or more tensors' : max === 1 ? 'one input tensor' : `${min} to ${max} tensors`
    return E.left(
      refuse(
        name,
        'inbound_nodes',
        refs.map((r) => r[0]),
        accepted,
      ),
    )
  }
  for (const r of refs) {
    const c = checkRef(name, 'inbound_nodes', r)
    if (E.isLeft(c)) return c
  }
  return E.right(refs)
}

const modelName = (config: Obj): string => (typeof config['name'] === 'string' ? config['name'] : 'functional')

// ---------------------------------------------------------------- tfjs → Keras 3

/** Keras 3 `config.json` content for a tfjs Functional model's `toJSON(null, false)`. */
export const functionalToKeras = (topology: Obj, specs?: TensorSpecs): E.Either<KerasFormatError, Obj> => {
  const config = topology['config']
  if (!isObj(config) || !Array.isArray(config['layers'])) return E.left(refuse('(model)', 'config.layers', null, 'a list of layers'))
  const refused = classesOf(config['layers'])
  if (refused !== null) return E.left(refused)
  const layers: Json[] = []
  const names = new Set<string>()
  for (const l of config['layers']) {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || !isObj(l['config']) || typeof l['name'] !== 'string') {
      return E.left(refuse('(model)', 'config.layers', l, 'layer entries with name, class_name, config'))
    }
    const name = l['name']
    const className = l['class_name']
    const lc = l['config']
    names.add(name)
    if (className === 'InputLayer') {
      if (lc['sparse'] === true) return E.left(refuse(name, 'sparse', true, 'false'))
      if (!Array.isArray(lc['batch_input_shape']))
        return E.left(refuse(name, 'batch_input_shape', lc['batch_input_shape'] ?? null, 'a shape'))
      layers.push({
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: {
          batch_shape: lc['batch_input_shape'],
          dtype: lc['dtype'] ?? 'float32',
          sparse: false,
          ragged: false,
          name,
          optional: false,
        },
        registered_name: null,
        name,
        inbound_nodes: [],
      })
      continue
    }
    if (className === OP_CLASS) {
      const op = opToKeras(l, name, specs)
      if (E.isLeft(op)) return op
      layers.push(op.right)
      continue
    }
    const t = translateLayer(className, lc, 'toKeras')
    if (E.isLeft(t)) return t
    const node = singleNode(name, l['inbound_nodes'])
    if (E.isLeft(node)) return node
    if (!Array.isArray(node.right) || !node.right.every(isRef))
      return E.left(refuse(name, 'inbound_nodes', node.right as Json, '[[layer, node, tensor, kwargs], ...]'))
    for (const r of node.right) {
      const kwargs = r[3]
      if (kwargs !== undefined && !(isObj(kwargs) && Object.keys(kwargs).length === 0)) {
        return E.left(refuse(name, 'inbound_nodes kwargs', kwargs, '{} (call arguments such as mask or initial_state are not translated)'))
      }
    }
    const refs = checkArity(
      name,
      className,
      node.right.map((r): Ref => [r[0], r[1], r[2]]),
    )
    if (E.isLeft(refs)) return refs
    const tensors = refs.right.map((r) => kerasTensor(r, specs))
    layers.push({
      module: 'keras.layers',
      class_name: className,
      config: { ...t.right, dtype: 'float32' },
      registered_name: null,
      name,
      inbound_nodes: [{ args: MERGE_LAYERS.has(className) ? [tensors] : tensors, kwargs: {} }],
    })
  }
  const io = modelEndpoints(config, names)
  if (E.isLeft(io)) return io
  const { inputs, outputs } = io.right
  // A model built from one tensor serializes it bare in Keras 3 (`keras.Model(x, y)`), a list otherwise.
  const shape = (refs: ReadonlyArray<Ref>): Json => (refs.length === 1 ? [...(refs[0] as Ref)] : refs.map((r) => [...r]))
  return E.right({
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: modelName(config), trainable: true, layers, input_layers: shape(inputs), output_layers: shape(outputs) },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  })
}

// ---------------------------------------------------------------- Keras 3 → tfjs

/** The refs of one Keras 3 node (`{args, kwargs}`, or the legacy list form Keras still reads). */
const kerasNodeRefs = (name: string, node: unknown, positional: boolean): E.Either<KerasFormatError, ReadonlyArray<Ref>> => {
  if (Array.isArray(node)) {
    const out: Ref[] = []
    for (const r of node) {
      if (!isRef(r)) return E.left(refuse(name, 'inbound_nodes', r as Json, '[layer, node, tensor, kwargs]'))
      if (r[3] !== undefined && !(isObj(r[3]) && Object.keys(r[3]).length === 0))
        return E.left(refuse(name, 'inbound_nodes kwargs', r[3], '{}'))
      out.push([r[0], r[1], r[2]])
    }
    return E.right(out)
  }
  if (!isObj(node) || !Array.isArray(node['args'])) return E.left(refuse(name, 'inbound_nodes', node as Json, '{args, kwargs}'))
  const kwargs = node['kwargs']
  // Keras records `training: false` (and `mask: null`) for layers that take them; the call context overrides
  // `training` in fit/predict, as tfjs's does. Any other value changes the computation: refused.
  const harmless = (k: string, v: unknown): boolean => v === null || (k === 'training' && v === false)
  if (kwargs !== undefined && kwargs !== null && !(isObj(kwargs) && Object.entries(kwargs).every(([k, v]) => harmless(k, v)))) {
    return E.left(
      refuse(
        name,
        'inbound_nodes kwargs',
        kwargs,
        '{} or only training=false / null values (call arguments such as mask, training=true or initial_state are not translated)',
      ),
    )
  }
  const args = node['args']
  if (args.length !== 1 && !positional)
    return E.left(
      refuse(name, 'inbound_nodes.args', `${args.length} positional arguments`, 'one (a tensor, or a list of tensors for merge layers)'),
    )
  const arg = args[0]
  const items = positional ? args : Array.isArray(arg) ? arg : [arg]
  const out: Ref[] = []
  for (const v of items) {
    const r = tensorRef(name, v)
    if (E.isLeft(r)) return r
    out.push(r.right)
  }
  return E.right(out)
}

/** tfjs model topology (for `tfl.models.modelFromJSON`) from a Keras 3 Functional `config.json`. */
export const functionalToTfjs = (kerasConfig: Obj): E.Either<KerasFormatError, Obj> => {
  const config = kerasConfig['config']
  if (!isObj(config) || !Array.isArray(config['layers'])) return E.left(refuse('(model)', 'config.layers', null, 'a list of layers'))
  const refused = classesOf(config['layers'])
  if (refused !== null) return E.left(refused)
  const layers: Obj[] = []
  const names = new Set<string>()
  for (const l of config['layers']) {
    if (!isObj(l) || typeof l['class_name'] !== 'string' || !isObj(l['config']))
      return E.left(refuse('(model)', 'config.layers', l, 'layer entries with class_name, config'))
    const className = l['class_name']
    const lc = l['config']
    const name = typeof l['name'] === 'string' ? l['name'] : typeof lc['name'] === 'string' ? lc['name'] : ''
    if (name === '') return E.left(refuse('(model)', 'config.layers.name', null, 'a layer name'))
    names.add(name)
    if (isOpEntry(l) && isMappedOp(l)) {
      const op = opToTfjs(l, name)
      if (E.isLeft(op)) return op
      layers.push(op.right)
      continue
    }
    if (className === 'InputLayer') {
      for (const k of ['sparse', 'ragged', 'optional'] as const) if (lc[k] === true) return E.left(refuse(name, k, true, 'false'))
      const batchShape = lc['batch_shape'] ?? lc['batch_input_shape']
      if (!Array.isArray(batchShape)) return E.left(refuse(name, 'batch_shape', batchShape ?? null, 'a shape'))
      const dtype = dtypeOfKeras(lc['dtype'])
      if (dtype !== 'float32' && dtype !== 'int32') return E.left(refuse(name, 'dtype', dtype, "'float32', 'int32'"))
      layers.push({
        name,
        class_name: 'InputLayer',
        config: { batch_input_shape: batchShape, dtype, sparse: false, name },
        inbound_nodes: [],
      })
      continue
    }
    const t = translateLayer(className, lc, 'toTfjs')
    if (E.isLeft(t)) return t
    const dtype = dtypeOfKeras(lc['dtype'])
    if (dtype !== 'float32') return E.left(refuse(name, 'dtype', dtype, "'float32'"))
    const node = singleNode(name, l['inbound_nodes'])
    if (E.isLeft(node)) return node
    const refs = kerasNodeRefs(name, node.right, className in POSITIONAL_INPUTS)
    if (E.isLeft(refs)) return refs
    const checked = checkArity(name, className, refs.right)
    if (E.isLeft(checked)) return checked
    layers.push({
      name,
      class_name: className,
      config: { ...t.right, dtype: 'float32' },
      inbound_nodes: [checked.right.map((r) => [...r, {}])],
    })
  }
  const io = modelEndpoints(config, names)
  if (E.isLeft(io)) return io
  const { inputs, outputs } = io.right
  return E.right({
    class_name: 'Model',
    config: { name: modelName(config), layers, input_layers: inputs.map((r) => [...r]), output_layers: outputs.map((r) => [...r]) },
  })
}

// ---------------------------------------------------------------- layer order

/** A layer of a model, by name and class, in the order Keras 3 lists `model.layers`. */
export interface OrderedLayer {
  readonly name: string
  readonly className: string
}

/**
 * The order of `model.layers` that Keras 3 computes for a Functional model (`ops/function.py` `map_graph`):
 * a depth-first walk from the outputs numbers layers by first visit; a layer's depth is the longest path to an
 * output; layers go by decreasing depth, ties by visit number; an input the outputs do not reach gets depth 0
 * and visit number -1, as in Keras. This order names the layers' groups in the weights file
 * (`layers/dense`, `layers/dense_1`…), so it decides which weights go where.
 */
export const functionalLayerOrder = (kerasConfig: Obj): E.Either<KerasFormatError, ReadonlyArray<OrderedLayer>> => {
  const tfjs = functionalToTfjs(kerasConfig) // validates the graph and normalises nodes to refs
  if (E.isLeft(tfjs)) return tfjs
  const config = tfjs.right['config'] as Obj
  const layers = config['layers'] as unknown as ReadonlyArray<{
    name: string
    class_name: string
    inbound_nodes: ReadonlyArray<ReadonlyArray<Ref>>
  }>
  const byName = new Map(layers.map((l) => [l.name, l]))
  const parents = (name: string): ReadonlyArray<string> => (byName.get(name)?.inbound_nodes[0] ?? []).map((r) => r[0])
  const finished = new Set<string>()
  const inProgress = new Set<string>()
  const visitIndex = new Map<string, number>()
  const decreasingDepth: string[] = []
  const visit = (name: string): E.Either<KerasFormatError, void> => {
    if (finished.has(name)) return E.right(undefined)
    if (inProgress.has(name)) return E.left(refuse(name, 'inbound_nodes', name, 'an acyclic graph'))
    if (!byName.has(name)) return E.left(refuse('(model)', 'inbound_nodes', name, 'names of layers in the model'))
    if (!visitIndex.has(name)) visitIndex.set(name, visitIndex.size)
    inProgress.add(name)
    for (const p of parents(name)) {
      const r = visit(p)
      if (E.isLeft(r)) return r
    }
    finished.add(name)
    inProgress.delete(name)
    decreasingDepth.push(name)
    return E.right(undefined)
  }
  for (const r of config['output_layers'] as unknown as ReadonlyArray<Ref>) {
    const v = visit(r[0])
    if (E.isLeft(v)) return v
  }
  const depth = new Map<string, number>()
  for (const name of [...decreasingDepth].reverse()) {
    const d = depth.get(name) ?? 0
    depth.set(name, d)
    for (const p of parents(name)) depth.set(p, Math.max(d + 1, depth.get(p) ?? 0))
  }
  for (const r of config['input_layers'] as unknown as ReadonlyArray<Ref>) {
    if (!depth.has(r[0])) {
      depth.set(r[0], 0)
      visitIndex.set(r[0], -1)
    }
  }
  const order = [...depth.keys()].sort(
    (a, b) => (depth.get(b) as number) - (depth.get(a) as number) || (visitIndex.get(a) as number) - (visitIndex.get(b) as number),
  )
  // Operation nodes are walked like layers but are not in `model.layers` (Keras keeps only Layer instances).
  return E.right(
    order
      .map((name) => ({ name, className: (byName.get(name) as { class_name: string }).class_name }))
      .filter((l) => l.className !== OP_CLASS),
  )
}
