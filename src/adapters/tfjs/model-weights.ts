import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import type { Tensor, Tensors } from '../../tensors/index.js'
import { fail, type WeightMismatch } from './errors.js'
import { fromSafetensorsDtype, toSafetensorsDtype } from './dtypes.js'
import { assertUniqueNames } from './names.js'

/** A tfjs model's weights as tensors, and the check of tensors against them (sync: the public names in weights.ts). */

/**
 * The model's weights as safetensors tensors, keyed by the variables' `originalName` (see `names.ts`),
 * dtypes float32 → F32, int32 → I32, bool → BOOL. The arrays are fresh copies: changing them changes
 * nothing in the model. Synchronous (`dataSync`); the non-blocking path is `takeSnapshot`.
 */
export const modelWeights = (model: tfl.LayersModel): Tensors => {
  assertUniqueNames(model.weights.map((v) => v.originalName))
  const out = Object.create(null) as Record<string, Tensor>
  for (const v of model.weights) {
    const dtype = toSafetensorsDtype(v.originalName, v.dtype)
    if (E.isLeft(dtype)) return fail(dtype.left)
    const data = v.read().dataSync().slice() as Tensor['data']
    out[v.originalName] = { dtype: dtype.right, shape: v.shape as ReadonlyArray<number>, data }
  }
  return out
}

/** What the model expects of one weight. */
export interface WeightSpec {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly dtype: string
}

export const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/**
 * Every way `tensors` disagrees with `expected`, in model order (missing, shape, dtype), then the
 * unexpected names in file order. Empty when every weight matches. Pure.
 */
export const weightMismatches = (expected: ReadonlyArray<WeightSpec>, tensors: Tensors): ReadonlyArray<WeightMismatch> => {
  const out: WeightMismatch[] = []
  const known = new Set(expected.map((s) => s.name))
  for (const spec of expected) {
    const t = Object.prototype.hasOwnProperty.call(tensors, spec.name) ? tensors[spec.name] : undefined
    if (t === undefined) {
      out.push({ _tag: 'Missing', name: spec.name })
      continue
    }
    if (!sameShape(spec.shape, t.shape)) out.push({ _tag: 'Shape', name: spec.name, expected: spec.shape, actual: t.shape })
    const tfDtype = fromSafetensorsDtype(t.dtype)
    if (tfDtype !== spec.dtype) out.push({ _tag: 'Dtype', name: spec.name, expected: spec.dtype, actual: t.dtype })
  }
  for (const name of Object.keys(tensors)) if (!known.has(name)) out.push({ _tag: 'Unexpected', name })
  return out
}
