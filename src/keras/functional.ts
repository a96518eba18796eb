import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { dtypeOfKeras, isObj, translateLayer, unsupportedField, type Json, type Obj } from './layer-config.js'
import { MERGE_LAYERS, POSITIONAL_INPUTS } from './layer-settings.js'
import { classesOf } from './layer-classes.js'
import { isRef, kerasTensor, tensorRef, type Ref, type TensorSpecs } from './keras-tensor.js'
import { isMappedOp, isOpEntry, OP_CLASS, opToKeras, opToTfjs } from './ops-nodes.js'
import { checkCallOrder } from './call-order.js'
import { isModelClass, kerasModelClass, refsToKeras, refsToTfjs } from './nested.js'

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
 * ckpt translates graphs whose layers are called once or more (shared layers: one inbound node per call, see
 * call-order.ts for the graphs tfjs cannot rebuild), whose models may be layers of others (nested.ts), whose layers
 * take one input (merge layers: a list of two or more; a nested model: one per model input), use only a layer's
 * first output (`[layer, call, 0]`), and get no call keyword arguments (no `mask`, `initial_state`,
 * `training`…). Anything else is refused, naming the layer.
 */

const refuse = (layer: string, field: string, value: unknown, accepted: string): KerasFormatError =>
  unsupportedField(layer, field, value, accepted)

/** A reference to the first output of a call of a layer: ckpt does not translate a layer's other outputs. */
const checkRef = (layer: string, field: string, r: Ref): E.Either<KerasFormatError, Ref> =>
  r[2] !== 0
    ? E.left(
        refuse(
          layer,
          field,
          r,
          `[<layer>, <call>, 0], a layer's first output (ckpt does not translate others, such as an RNN's return_state)`,
        ),
      )
    : E.right(r)

/**
 * How a Functional model's nested models (layers that are models) translate: by the Sequential and Functional
 * translation of config.ts, handed in so that the two modules do not import each other.
 */
export interface NestedModels {
  /** tfjs topology (`{class_name, config}`) of a Keras 3 model entry. */
  readonly toTfjs: (keras: Obj) => E.Either<KerasFormatError, Obj>
  /** Keras 3 `{module, class_name, config, …}` of a tfjs model entry. */
  readonly toKeras: (tfjs: Obj) => E.Either<KerasFormatError, Obj>
  /** The Keras `model.layers` order of a Keras 3 model entry. */
  readonly order: (keras: Obj) => E.Either<KerasFormatError, ReadonlyArray<OrderedLayer>>
}

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

/** The calls (inbound nodes) of a non-input layer: one or more, or an error naming the layer. */
const callsOf = (name: string, nodes: unknown): E.Either<KerasFormatError, ReadonlyArray<unknown>> =>
  Array.isArray(nodes) && nodes.length > 0
    ? E.right(nodes)
    : E.left(refuse(name, 'inbound_nodes', Array.isArray(nodes) ? '0 calls' : (nodes as Json), 'one call or more'))

/**
 * The inputs of one call, checked against the layer's class (one tensor, a list for merge layers, or as many
 * positional tensors as POSITIONAL_INPUTS says).
 */
const checkArity = (name: string, className: string, refs: ReadonlyArray<Ref>): E.Either<KerasFormatError, ReadonlyArray<Ref>> => {
  const [min, max] =
    POSITIONAL_INPUTS[className] ?? (MERGE_LAYERS.has(className) ? [2, Infinity] : isModelClass(className) ? [1, Infinity] : [1, 1])
  if (refs.length < min || refs.length > max) {
    const accepted =
      max === Infinity
        ? `a list of ${min === 1 ? 'one' : 'two'} or more tensors`
        : max === 1
          ? 'one input tensor'
          : `${min} to ${max} tensors`
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

/** The Keras 3 `{args, kwargs}` nodes of a tfjs layer entry's calls. */
const callsToKeras = (
  name: string,
  className: string,
  nodes: unknown,
  specs: TensorSpecs | undefined,
): E.Either<KerasFormatError, Json[]> => {
  const calls = callsOf(name, nodes)
  if (E.isLeft(calls)) return calls
  const out: Json[] = []
  for (const node of calls.right) {
    if (!Array.isArray(node) || !node.every(isRef))
      return E.left(refuse(name, 'inbound_nodes', node as Json, '[[layer, node, tensor, kwargs], ...]'))
    for (const r of node) {
      const kwargs = r[3]
      if (kwargs !== undefined && !(isObj(kwargs) && Object.keys(kwargs).length === 0)) {
        return E.left(refuse(name, 'inbound_nodes kwargs', kwargs, '{} (call arguments such as mask or initial_state are not translated)'))
      }
    }
    const refs = checkArity(
      name,
      className,
      node.map((r): Ref => [r[0], r[1], r[2]]),
    )
    if (E.isLeft(refs)) return refs
    const tensors = refs.right.map((r) => kerasTensor(r, specs))
    const list = MERGE_LAYERS.has(className) || (isModelClass(className) && tensors.length > 1)
    out.push({ args: list ? [tensors] : tensors, kwargs: {} })
  }
  return E.right(out)
}

/** Keras 3 `config.json` content for a tfjs Functional model's `toJSON(null, false)`. */
export const functionalToKeras = (topology: Obj, nested: NestedModels, specs?: TensorSpecs): E.Either<KerasFormatError, Obj> => {
  const config = topology['config']
  if (!isObj(config) || !Array.isArray(config['layers'])) return E.left(refuse('(model)', 'config.layers', null, 'a list of layers'))
  const refused = classesOf(config['layers'])
  if (refused !== null) return E.left(refused)
  const layers: Obj[] = []
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
    const t = isModelClass(className) ? nested.toKeras(l) : translateLayer(className, lc, 'toKeras')
    if (E.isLeft(t)) return t
    const calls = callsToKeras(name, className, l['inbound_nodes'], specs)
    if (E.isLeft(calls)) return calls
    layers.push(
      isModelClass(className)
        ? { ...t.right, name, inbound_nodes: calls.right }
        : {
            module: 'keras.layers',
            class_name: className,
            config: { ...t.right, dtype: 'float32' },
            registered_name: null,
            name,
            inbound_nodes: calls.right,
          },
    )
  }
  const io = modelEndpoints(config, names)
  if (E.isLeft(io)) return io
  const { inputs, outputs } = io.right
  // A model built from one tensor serializes it bare in Keras 3 (`keras.Model(x, y)`), a list otherwise.
  const shape = (refs: ReadonlyArray<Ref>): Json => (refs.length === 1 ? [...(refs[0] as Ref)] : refs.map((r) => [...r]))
  return E.right({
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: refsToKeras({
      name: modelName(config),
      trainable: config['trainable'] !== false,
      layers,
      input_layers: shape(inputs),
      output_layers: shape(outputs),
    }),
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

/**
 * tfjs model topology (for `tfl.models.modelFromJSON`) from a Keras 3 Functional `config.json`; Left, by
 * `inbound_nodes`, for calls tfjs would not rebuild as the file numbers them (call-order.ts).
 */
export const functionalToTfjs = (kerasConfig: Obj, nested: NestedModels): E.Either<KerasFormatError, Obj> =>
  E.flatMap((tfjs: Obj) =>
    E.map(() => tfjs)(checkCallOrder((tfjs['config'] as Obj)['layers'] as unknown as Parameters<typeof checkCallOrder>[0])),
  )(translateToTfjs(kerasConfig, nested))

/** {@link functionalToTfjs} without the check of the calls' order (the layer order of a file ckpt writes needs none). */
const translateToTfjs = (kerasConfig: Obj, nested: NestedModels): E.Either<KerasFormatError, Obj> => {
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
    const model = isModelClass(className)
    const t = model ? nested.toTfjs(l) : translateLayer(className, lc, 'toTfjs')
    if (E.isLeft(t)) return t
    const dtype = dtypeOfKeras(lc['dtype'])
    if (!model && dtype !== 'float32') return E.left(refuse(name, 'dtype', dtype, "'float32'"))
    const calls = callsOf(name, l['inbound_nodes'])
    if (E.isLeft(calls)) return calls
    const nodes: Json[] = []
    for (const node of calls.right) {
      const refs = kerasNodeRefs(name, node, className in POSITIONAL_INPUTS)
      if (E.isLeft(refs)) return refs
      const checked = checkArity(name, className, refs.right)
      if (E.isLeft(checked)) return checked
      nodes.push(checked.right.map((r) => [...r, {}]))
    }
    layers.push(
      model
        ? { name, class_name: t.right['class_name'] as Json, config: t.right['config'] as Json, inbound_nodes: nodes }
        : { name, class_name: className, config: { ...t.right, dtype: 'float32' }, inbound_nodes: nodes },
    )
  }
  const io = modelEndpoints(config, names)
  if (E.isLeft(io)) return io
  const { inputs, outputs } = io.right
  const tfjs = refsToTfjs({
    name: modelName(config),
    layers,
    input_layers: inputs.map((r) => [...r]),
    output_layers: outputs.map((r) => [...r]),
  })
  return E.right({ class_name: 'Model', config: tfjs })
}

// ---------------------------------------------------------------- layer order

/** A layer of a model, by name and class, in the order Keras 3 lists `model.layers`; a nested model with its own layers. */
export interface OrderedLayer {
  readonly name: string
  readonly className: string
  readonly layers?: ReadonlyArray<OrderedLayer>
}

/**
 * The order of `model.layers` that Keras 3 computes for a Functional model (`ops/function.py` `map_graph`):
 * a depth-first walk from the outputs over the calls (nodes) numbers layers by first visit; walking back from the
 * outputs, a call's depth is the longest path to an output, at least that of the layer's later calls; a layer's
 * depth is the deepest of its calls; layers go by decreasing depth, ties by visit number; an input the outputs do
 * not reach gets depth 0 and visit number -1, as in Keras. This order names the layers' groups in the weights file
 * (`layers/dense`, `layers/dense_1`…), so it decides which weights go where. A nested model comes with its own order.
 */
export const functionalLayerOrder = (kerasConfig: Obj, nested: NestedModels): E.Either<KerasFormatError, ReadonlyArray<OrderedLayer>> => {
  const tfjs = translateToTfjs(kerasConfig, nested) // validates the graph and normalises nodes to refs
  if (E.isLeft(tfjs)) return tfjs
  const config = tfjs.right['config'] as Obj
  const layers = config['layers'] as unknown as ReadonlyArray<{
    name: string
    class_name: string
    inbound_nodes: ReadonlyArray<ReadonlyArray<Ref>>
  }>
  const byName = new Map(layers.map((l) => [l.name, l]))
  const first = (name: string): number => (isModelClass(byName.get(name)?.class_name) ? 1 : 0)
  const key = (r: Ref): string => `${r[1]}:${r[0]}`
  const parents = (r: Ref): ReadonlyArray<Ref> => byName.get(r[0])?.inbound_nodes[r[1] - first(r[0])] ?? []
  const finished = new Set<string>()
  const inProgress = new Set<string>()
  const visitIndex = new Map<string, number>()
  const decreasingDepth: Ref[] = []
  const visit = (r: Ref): E.Either<KerasFormatError, void> => {
    const k = key(r)
    if (finished.has(k)) return E.right(undefined)
    if (inProgress.has(k)) return E.left(refuse(r[0], 'inbound_nodes', r[0], 'an acyclic graph'))
    if (!byName.has(r[0])) return E.left(refuse('(model)', 'inbound_nodes', r[0], 'names of layers in the model'))
    if (!visitIndex.has(r[0])) visitIndex.set(r[0], visitIndex.size)
    inProgress.add(k)
    for (const p of parents(r)) {
      const v = visit(p)
      if (E.isLeft(v)) return v
    }
    finished.add(k)
    inProgress.delete(k)
    decreasingDepth.push([r[0], r[1], 0])
    return E.right(undefined)
  }
  for (const r of config['output_layers'] as unknown as ReadonlyArray<Ref>) {
    const v = visit(r)
    if (E.isLeft(v)) return v
  }
  const nodeDepth = new Map<string, number>()
  const depth = new Map<string, number>()
  for (const r of [...decreasingDepth].reverse()) {
    const d = Math.max(nodeDepth.get(key(r)) ?? 0, depth.get(r[0]) ?? 0)
    depth.set(r[0], d)
    nodeDepth.set(key(r), d)
    for (const p of parents(r)) nodeDepth.set(key(p), Math.max(d + 1, nodeDepth.get(key(p)) ?? 0))
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
  const entries = new Map(
    (isObj(kerasConfig['config']) && Array.isArray(kerasConfig['config']['layers']) ? kerasConfig['config']['layers'] : []).flatMap((l) =>
      isObj(l) && typeof l['name'] === 'string' ? [[l['name'], l] as const] : [],
    ),
  )
  const out: OrderedLayer[] = []
  for (const name of order) {
    const className = (byName.get(name) as { class_name: string }).class_name
    if (className === OP_CLASS) continue
    if (!isModelClass(className)) {
      out.push({ name, className })
      continue
    }
    const inner = nested.order(entries.get(name) as Obj)
    if (E.isLeft(inner)) return inner
    out.push({ name, className: kerasModelClass(className), layers: inner.right })
  }
  return E.right(out)
}
