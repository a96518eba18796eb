import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import type { Storage } from '../../storage/storage.js'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../../tensors/index.js'
import { fail, storageCall, type WeightMismatch } from './errors.js'
import { fromSafetensorsDtype, toSafetensorsDtype } from './dtypes.js'
import { assertUniqueNames } from './names.js'

/** How many mismatches an error message lists. */
export const MISMATCHES_SHOWN = 10

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

/**
 * Puts `value` into the layer variable `v` as it is. `LayerVariable.write` would also apply the variable's constraint
 * (`maxNorm`, `nonNeg`, …), which tfjs's training never applies: a restored weight would differ from the one saved.
 */
export const assignWeight = (v: tfl.LayerVariable, value: tf.Tensor): void => {
  const variable = v.read()
  if (variable instanceof tf.Variable) variable.assign(value)
  else v.write(value)
}

/** What the model expects of one weight. */
export interface WeightSpec {
  readonly name: string
  readonly shape: ReadonlyArray<number>
  readonly dtype: string
}

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((d, i) => d === b[i])

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

/**
 * Every way a tfjs weights manifest disagrees with the model's weights (its optimizer group left out): in model
 * order (missing, shape, dtype), then the unexpected names in manifest order. Empty when every weight matches. Pure.
 */
export const layersMismatches = (
  model: tfl.LayersModel,
  specs: ReadonlyArray<tf.io.WeightsManifestEntry>,
): ReadonlyArray<WeightMismatch> => {
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer')
  const byName = new Map(modelSpecs.map((s) => [s.name, s]))
  const mismatches: WeightMismatch[] = []
  const known = new Set<string>()
  for (const v of model.weights) {
    known.add(v.originalName)
    const shape = v.shape as ReadonlyArray<number>
    const s = byName.get(v.originalName)
    if (s === undefined) mismatches.push({ _tag: 'Missing', name: v.originalName })
    else {
      if (!sameShape(s.shape, shape)) mismatches.push({ _tag: 'Shape', name: v.originalName, expected: shape, actual: s.shape })
      if (s.dtype !== v.dtype) mismatches.push({ _tag: 'Dtype', name: v.originalName, expected: v.dtype, actual: s.dtype })
    }
  }
  for (const s of modelSpecs) if (!known.has(s.name)) mismatches.push({ _tag: 'Unexpected', name: s.name })
  return mismatches
}

const describe = (m: WeightMismatch): string => {
  switch (m._tag) {
    case 'Missing':
      return `missing '${m.name}' (in the model, not in the file)`
    case 'Unexpected':
      return `unexpected '${m.name}' (in the file, not in the model)`
    case 'Shape':
      return `shape of '${m.name}': model [${m.expected.join(', ')}], file [${m.actual.join(', ')}]`
    case 'Dtype':
      return `dtype of '${m.name}': model ${m.expected}, file ${m.actual}`
  }
}

/** The error message for a list of mismatches: the count and the first {@link MISMATCHES_SHOWN}. */
export const mismatchMessage = (path: string, mismatches: ReadonlyArray<WeightMismatch>): string => {
  const shown = mismatches.slice(0, MISMATCHES_SHOWN).map((m) => `  - ${describe(m)}`)
  const more = mismatches.length > MISMATCHES_SHOWN ? [`  ... and ${mismatches.length - MISMATCHES_SHOWN} more`] : []
  return [
    `ckpt/tfjs: the weights in '${path}' do not match the model (${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'}); nothing was changed:`,
    ...shown,
    ...more,
  ].join('\n')
}

/**
 * Writes the model's weights as one safetensors file at `path`; the write is atomic (a `Storage` guarantee).
 * `metadata` goes into the safetensors header.
 */
export const saveWeights = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> => {
  const chunks = encodeSafetensorsOrThrow(modelWeights(model), metadata)
  await storageCall(path, 'writing weights', () => storage.write(path, chunks))
}

/**
 * Reads the safetensors file at `path` and assigns it to the model's weights, by `originalName`.
 * All weights are checked first (names, shapes, dtypes); on any mismatch it rejects with `WeightsMismatch`
 * listing the first mismatches, and the model is unchanged. The model changes only when every weight matches.
 */
export const loadWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> => {
  const bytes = await storageCall(path, 'reading weights', () => storage.read(path))
  const decoded = decodeSafetensors(bytes)
  if (E.isLeft(decoded)) {
    return fail({
      _tag: 'InvalidWeightsFile',
      path,
      message: `ckpt/tfjs: '${path}' is not a valid safetensors file: ${decoded.left.message}`,
    })
  }
  const { tensors } = decoded.right
  const variables = model.weights
  assertUniqueNames(variables.map((v) => v.originalName))
  const mismatches = weightMismatches(
    variables.map((v) => ({ name: v.originalName, shape: v.shape as ReadonlyArray<number>, dtype: v.dtype })),
    tensors,
  )
  if (mismatches.length > 0) return fail({ _tag: 'WeightsMismatch', path, mismatches, message: mismatchMessage(path, mismatches) })
  // Build every value before assigning any, so a failure here leaves the model untouched.
  const values = variables.map((v) => {
    const t = tensors[v.originalName] as Tensor
    return tf.tensor(t.data as tf.TypedArray, [...t.shape], v.dtype)
  })
  try {
    variables.forEach((v, i) => assignWeight(v, values[i] as tf.Tensor))
  } finally {
    tf.dispose(values)
  }
}
