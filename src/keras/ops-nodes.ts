import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { isObj, unsupportedField, type Json, type Obj } from './layer-config.js'
import { isRef, kerasTensor, tensorRef, type Ref, type TensorSpecs } from './keras-tensor.js'

/**
 * Keras 3 operation nodes of a Functional graph: `x + 3.0` in a model's code is saved as a node of
 * `keras.src.ops.numpy.Add` (not a layer: it has no weights and no place in `model.layers`), with the
 * constant among its call's arguments. Its class name is the `Add` layer's; the module tells them apart.
 * tfjs runs them as the `KerasOp` layer (src/adapters/tfjs/keras/custom/keras-op.ts). Pure.
 */

/** The tfjs layer class of an operation node. */
export const OP_CLASS = 'KerasOp'

const OPS_MODULE = 'keras.src.ops.numpy'

/** The operations ckpt maps: Keras's class in `keras.src.ops.numpy` → the `op` of tfjs's KerasOp (JSON spelling). */
export const KERAS_OPS: Readonly<Record<string, string>> = {
  Add: 'add',
  Subtract: 'subtract',
  Multiply: 'multiply',
  TrueDivide: 'true_divide',
  Divide: 'divide',
}

/** Whether a Keras 3 `config.json` layer entry is an operation node (its module is one of `keras.src.ops`). */
export const isOpEntry = (l: unknown): l is Obj => isObj(l) && typeof l['module'] === 'string' && l['module'].startsWith('keras.src.ops.')

/** An operation node's (`isOpEntry`) name in messages and refusals: `ops.numpy.Add`. */
export const opClassName = (l: Obj): string =>
  `${(l['module'] as string).replace(/^keras\.src\./, '')}.${typeof l['class_name'] === 'string' ? l['class_name'] : '?'}`

/** Whether ckpt maps the operation node `l`. */
export const isMappedOp = (l: Obj): boolean =>
  l['module'] === OPS_MODULE && typeof l['class_name'] === 'string' && Object.prototype.hasOwnProperty.call(KERAS_OPS, l['class_name'])

/**
 * A Keras 3 operation node as a tfjs KerasOp layer entry: its call's arguments are tensors and numbers (two in
 * all, at least one tensor), no keyword arguments, called once.
 */
export const opToTfjs = (l: Obj, name: string): E.Either<KerasFormatError, Obj> => {
  const nodes = l['inbound_nodes']
  const node = Array.isArray(nodes) && nodes.length === 1 ? nodes[0] : undefined
  const args = isObj(node) && Array.isArray(node['args']) ? node['args'] : undefined
  if (args === undefined || args.length !== 2)
    return E.left(unsupportedField(name, 'inbound_nodes', nodes ?? null, 'one call with two arguments (tensors or numbers)'))
  if (isObj(node) && isObj(node['kwargs']) && Object.keys(node['kwargs']).length > 0)
    return E.left(unsupportedField(name, 'inbound_nodes kwargs', node['kwargs'], '{}'))
  const refs: Ref[] = []
  const constants: Array<number | null> = []
  for (const a of args) {
    if (typeof a === 'number') {
      constants.push(a)
      continue
    }
    const r = tensorRef(name, a)
    if (E.isLeft(r)) return r
    if (r.right[1] !== 0 || r.right[2] !== 0) return E.left(unsupportedField(name, 'inbound_nodes', [...r.right], '[<layer>, 0, 0]'))
    refs.push(r.right)
    constants.push(null)
  }
  if (refs.length === 0) return E.left(unsupportedField(name, 'inbound_nodes.args', args, 'at least one tensor'))
  return E.right({
    name,
    class_name: OP_CLASS,
    config: { name, trainable: true, dtype: 'float32', op: KERAS_OPS[l['class_name'] as string] as string, constants },
    inbound_nodes: [refs.map((r) => [...r, {}])],
  })
}

/** A tfjs KerasOp layer entry (`toJSON`) as Keras 3's operation node, its inputs' specs from `specs`. */
export const opToKeras = (l: Obj, name: string, specs: TensorSpecs | undefined): E.Either<KerasFormatError, Obj> => {
  const config = isObj(l['config']) ? l['config'] : {}
  const className = Object.keys(KERAS_OPS).find((k) => KERAS_OPS[k] === config['op'])
  if (className === undefined) return E.left(unsupportedField(name, 'op', config['op'] ?? null, Object.values(KERAS_OPS).join(', ')))
  const nodes = l['inbound_nodes']
  const refs = Array.isArray(nodes) && nodes.length === 1 && Array.isArray(nodes[0]) ? (nodes[0] as unknown[]) : undefined
  const constants = config['constants']
  if (refs === undefined || !refs.every(isRef) || !Array.isArray(constants))
    return E.left(unsupportedField(name, 'inbound_nodes', nodes ?? null, 'one call'))
  const tensors = refs.map((r) => kerasTensor([r[0], r[1], r[2]], specs))
  if (constants.filter((c) => c === null).length !== tensors.length)
    return E.left(unsupportedField(name, 'constants', constants, `${tensors.length} nulls, one per input tensor`))
  return E.right({
    module: OPS_MODULE,
    class_name: className,
    config: { name },
    registered_name: className,
    name,
    inbound_nodes: [{ args: constants.map((c) => (c === null ? (tensors.shift() as Json) : c)), kwargs: {} }],
  })
}
