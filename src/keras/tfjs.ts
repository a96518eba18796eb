import type * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../storage/storage.js'
import { CkptKerasError, orThrow, raise } from './errors.js'
import { decodeWeightsH5, encodeWeightsH5 } from './h5.js'
import { applyKerasWeightsFile, checkWeightsPath, kerasWeightsFile, type KerasWeightsOptions, type OptimizerOutcome } from './tfjs-weights.js'

/** Runs a storage call; a rejection becomes a `StorageFailed` naming the path and the step. */
export const storageStep = async <A>(path: string, step: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (e) {
    if (e instanceof CkptKerasError) throw e
    return raise({ _tag: 'StorageFailed', path, message: `ckpt/keras: ${step} '${path}' failed: ${e instanceof Error ? e.message : String(e)}` })
  }
}

/**
 * Writes the model's weights as a Keras 3 `.weights.h5` file at `path` (atomic, a Storage guarantee), which
 * Python Keras loads with `model.load_weights(path)` into the same architecture. `path` must end in `.weights.h5`.
 * Rejects with a `CkptKerasError` naming the layer or optimizer that has no exact Keras equivalent.
 *
 * @example
 * await saveKerasWeights(model, fsStorage('out'), 'best_model.weights.h5')
 */
export const saveKerasWeights = async (model: tfl.LayersModel, storage: Storage, path: string, options: KerasWeightsOptions = {}): Promise<void> => {
  checkWeightsPath(path)
  const file = orThrow(await kerasWeightsFile(model, options))
  const bytes = orThrow(await encodeWeightsH5(file))
  await storageStep(path, 'writing', () => storage.write(path, bytes))
}

/**
 * Loads a Keras 3 `.weights.h5` file (from `model.save_weights`, or {@link saveKerasWeights}) into the model.
 * Every weight is checked first; on any mismatch it rejects and the model is unchanged. Optimizer state is
 * restored when the model's optimizer maps exactly to the one in the file; the result says what happened.
 */
export const loadKerasWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<OptimizerOutcome> => {
  const bytes = await storageStep(path, 'reading', () => storage.read(path))
  const file = orThrow(await decodeWeightsH5(bytes, path))
  return applyKerasWeightsFile(model, file, path)
}
