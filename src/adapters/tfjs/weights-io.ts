import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import type { Storage } from '../../storage/storage.js'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensor, type Tensors } from '../../tensors/index.js'
import { toSafetensorsDtype } from './dtypes.js'
import { fail, storageCall } from './errors.js'
import { kerasCode } from './keras/load.js'
import { mismatchMessage } from './layers-mismatches.js'
import { readLayersModel } from './layers-read.js'
import { assignWeight } from './assign-weight.js'
import { assertUniqueNames } from './names.js'
import { modelWeights, weightMismatches } from './model-weights.js'
import { SNIFF_BYTES, weightsFormat } from './weights-sniff.js'

/** `saveWeights` and `loadWeights` (weights.ts documents them), imported at their first call (tools-code.ts). */

export const saveWeights = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> => {
  const chunks = encodeSafetensorsOrThrow(modelWeights(model), metadata)
  await storageCall(path, 'writing weights', () => storage.write(path, chunks))
}

export const loadWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> => {
  // Only the first bytes are read to check the ending against the content (a ranged read).
  const head = await storageCall(path, 'reading weights', () => storage.read(path, { start: 0, end: SNIFF_BYTES }))
  const format = weightsFormat(path, head)
  if (E.isLeft(format)) return fail(format.left)
  switch (format.right) {
    case 'safetensors':
      return loadSafetensors(model, storage, path)
    case 'tfjs-layers':
      return loadLayersWeights(model, storage, path)
    case 'keras-weights':
      await (await kerasCode()).loadKerasWeights(model, storage, path)
      return
    case 'keras-model':
      await (await kerasCode()).loadKerasArchiveWeights(model, storage, path)
      return
  }
}

const loadSafetensors = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> => {
  const bytes = await storageCall(path, 'reading weights', () => storage.read(path))
  const decoded = decodeSafetensors(bytes)
  if (E.isLeft(decoded)) {
    return fail({
      _tag: 'InvalidWeightsFile',
      path,
      message: `ckpt/tfjs: '${path}' is not a valid safetensors file: ${decoded.left.message}`,
    })
  }
  assignTensors(model, path, decoded.right.tensors)
}

/** The model weights of a tfjs layers model (`model.json` and its weight files); the optimizer's are left out. */
const loadLayersWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> => {
  const artifacts = await readLayersModel(path, (key) => storageCall(key, 'reading weights', () => storage.read(key)))
  const specs = artifacts.weightSpecs ?? []
  const decoded = artifacts.weightData === undefined ? {} : tf.io.decodeWeights(artifacts.weightData, specs)
  try {
    const tensors = Object.create(null) as Record<string, Tensor>
    for (const spec of specs) {
      if (spec.group === 'optimizer') continue
      const t = decoded[spec.name] as tf.Tensor
      const dtype = toSafetensorsDtype(spec.name, t.dtype)
      if (E.isLeft(dtype)) return fail(dtype.left)
      tensors[spec.name] = { dtype: dtype.right, shape: t.shape, data: t.dataSync() }
    }
    assignTensors(model, path, tensors)
  } finally {
    tf.dispose(Object.values(decoded))
  }
}

/**
 * Assigns `tensors` to the model's weights by `originalName`, after checking them all (names, shapes, dtypes): on
 * a mismatch it rejects with `WeightsMismatch` and the model is unchanged.
 */
const assignTensors = (model: tfl.LayersModel, path: string, tensors: Tensors): void => {
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
