import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import type { Storage } from '../../storage/storage.js'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensor } from '../../tensors/index.js'
import { fail, storageCall } from './errors.js'
import { mismatchMessage } from './layers-mismatches.js'
import { assignWeight } from './assign-weight.js'
import { assertUniqueNames } from './names.js'
import { modelWeights, weightMismatches } from './model-weights.js'

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
