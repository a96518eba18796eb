import type * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../../storage/storage.js'

/**
 * The weights of a tfjs model as tensors, and as a safetensors file. Saving and loading the file imports its code
 * (weights-io.ts, through tools-code.ts) at the first call: a browser bundle loads it then.
 */

export { modelWeights, weightMismatches, type WeightSpec } from './model-weights.js'

const code = () => import('./tools-code.js')

/**
 * Writes the model's weights as one safetensors file at `path`; the write is atomic (a `Storage` guarantee).
 * `metadata` goes into the safetensors header.
 */
export const saveWeights = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> => (await code()).saveWeights(model, storage, path, metadata)

/**
 * Reads the safetensors file at `path` and assigns it to the model's weights, by `originalName`.
 * All weights are checked first (names, shapes, dtypes); on any mismatch it rejects with `WeightsMismatch`
 * listing the first mismatches, and the model is unchanged. The model changes only when every weight matches.
 */
export const loadWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> =>
  (await code()).loadWeights(model, storage, path)
