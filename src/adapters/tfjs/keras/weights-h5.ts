import type * as tfl from '@tensorflow/tfjs-layers'
import { kerasCall, orThrow, storageStep } from '../../../keras/errors.js'
import { checkWeightsPath, decodeWeightsH5, encodeWeightsH5 } from '../../../keras/h5.js'
import type { Storage } from '../../../storage/storage.js'
import { applyKerasWeightsFile, kerasWeightsFile, type KerasWeightsOptions, type OptimizerOutcome } from './weights.js'

/**
 * Writes the model's weights as a Keras 3 `.weights.h5` file at `path` (atomic, a Storage guarantee), which
 * Python Keras loads with `model.load_weights(path)` into the same architecture. `path` must end in `.weights.h5`.
 * Rejects with a `CkptKerasError` naming the layer or optimizer that has no exact Keras equivalent.
 *
 * @example
 * await saveKerasWeights(model, fsStorage('out'), 'best_model.weights.h5')
 */
export const saveKerasWeights = (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  options: KerasWeightsOptions = {},
): Promise<void> =>
  kerasCall(path, async () => {
    checkWeightsPath(path)
    const file = orThrow(await kerasWeightsFile(model, options))
    const bytes = orThrow(await encodeWeightsH5(file))
    await storageStep(path, 'writing', () => storage.write(path, bytes))
  })

/**
 * Loads a Keras 3 `.weights.h5` file (from `model.save_weights`, or {@link saveKerasWeights}) into the model.
 * Every weight is checked first; on any mismatch it rejects and the model is unchanged. Optimizer state is
 * restored when the model's optimizer maps exactly to the one in the file; the result says what happened.
 */
export const loadKerasWeights = (model: tfl.LayersModel, storage: Storage, path: string): Promise<OptimizerOutcome> =>
  kerasCall(path, async () => {
    const bytes = await storageStep(path, 'reading', () => storage.read(path))
    const file = orThrow(await decodeWeightsH5(bytes, path))
    return applyKerasWeightsFile(model, file, path)
  })
