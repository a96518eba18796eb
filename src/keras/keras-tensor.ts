import * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from './errors.js'
import { isObj, unsupportedField, type Json } from './layer-config.js'

/** The edges of a Functional graph in tfjs's and Keras 3's JSON. Pure. */

/** A graph edge: the output `tensor` of the `node`-th call of `layer`. */
export type Ref = readonly [layer: string, node: number, tensor: number]

/** Shape and dtype of each layer's output tensor, keyed by layer name (`tensorSpecsOf` reads them from a tfjs model). */
export type TensorSpecs = ReadonlyMap<string, { readonly shape: ReadonlyArray<number | null>; readonly dtype: string }>

export const isRef = (v: unknown): v is [string, number, number, ...unknown[]] =>
  Array.isArray(v) && v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number'

/** Keras 3's `__keras_tensor__` for the edge `r`, with its shape and dtype when `specs` has them. */
export const kerasTensor = (r: Ref, specs: TensorSpecs | undefined): Json => {
  const spec = specs?.get(r[0])
  return {
    class_name: '__keras_tensor__',
    config: { shape: spec === undefined ? null : [...spec.shape], dtype: spec?.dtype ?? null, keras_history: [...r] },
  }
}

/** The edge of a Keras 3 `__keras_tensor__`, or an error naming the layer (`layer`) that takes it. */
export const tensorRef = (layer: string, v: unknown): E.Either<KerasFormatError, Ref> => {
  const history = isObj(v) && v['class_name'] === '__keras_tensor__' && isObj(v['config']) ? v['config']['keras_history'] : undefined
  if (!isRef(history))
    return E.left(unsupportedField(layer, 'inbound_nodes.args', v as Json, 'Keras tensors (__keras_tensor__ with keras_history)'))
  return E.right([history[0], history[1], history[2]])
}
