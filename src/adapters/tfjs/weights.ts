import type * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../../storage/storage.js'

/**
 * The weights of a tfjs model as tensors, and in files: saving a safetensors file, loading any format `loadWeights`
 * reads. Both import their code (weights-io.ts, through tools-code.ts) at the first call: a browser bundle loads it then.
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
 * Loads the weights at `path` into the model, in the format its ending selects, as Keras's `load_weights` does:
 * - `.safetensors` and `model.json` (tfjs layers format, with its weight files; the optimizer's weights are left
 *   out): by `originalName`. All weights are checked first (names, shapes, dtypes); on any mismatch it rejects with
 *   `WeightsMismatch` listing the first mismatches, and the model is unchanged.
 * - `.weights.h5` and `.keras` (Keras 3): as `loadKerasWeights`, by layer, with Keras's checks and the
 *   optimizer state where it maps exactly (its outcome is not returned: call `loadKerasWeights` to see it).
 *
 * The file's first bytes (a ranged read of 16) are checked first: an unknown ending, or a file whose bytes are another
 * of these formats (HDF5, zip, safetensors, JSON), rejects with `UnrecognizedWeightsFile`, saying what its bytes are.
 */
export const loadWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> =>
  (await code()).loadWeights(model, storage, path)
