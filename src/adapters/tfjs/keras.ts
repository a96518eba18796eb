import type * as tfl from '@tensorflow/tfjs-layers'
import type * as E from '#fp-ts/Either.js'
import type { KerasFormatError } from '../../keras/errors.js'
import type { WeightsFile } from '../../keras/weights-file.js'
import type { Storage } from '../../storage/storage.js'
import { kerasCode } from './keras/load.js'
import type { LoadedKerasModel } from './keras/model-file.js'
import type { KerasWeightsOptions, OptimizerOutcome } from './keras/weights.js'

/**
 * Keras 3 formats for tfjs models (see docs/keras-interop.md), for the `ckpt/tfjs` entry. Each call imports the
 * Keras code (keras/keras-code.ts) first, so a browser bundle loads it, and h5wasm, only when a Keras call is made.
 */

export type { LoadedKerasModel, OptimizerOutcome, KerasWeightsOptions }
export { kerasWeightsSerializer, kerasModelSerializer } from './keras/serializers.js'
export { CkptKerasError, type KerasFormatError } from '../../keras/errors.js'

/**
 * Writes the model's weights as a Keras 3 `.weights.h5` file at `path` (atomic, a Storage guarantee), which
 * Python Keras loads with `model.load_weights(path)` into the same architecture. `path` must end in `.weights.h5`.
 * The weights stream from the model's own arrays (cpu backend) to the storage: nothing is copied or joined.
 * Rejects with a `CkptKerasError` naming the layer or optimizer that has no exact Keras equivalent.
 *
 * @example
 * await saveKerasWeights(model, fsStorage('out'), 'best_model.weights.h5')
 */
export const saveKerasWeights = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  options: KerasWeightsOptions = {},
): Promise<void> => (await kerasCode()).saveKerasWeights(model, storage, path, options)

/**
 * Loads a Keras 3 `.weights.h5` file (from `model.save_weights`, or {@link saveKerasWeights}) into the model.
 * Every weight is checked first; on any mismatch it rejects and the model is unchanged. Then each weight is
 * read (a ranged read of its bytes) and assigned in turn, so a file of any size loads holding one weight's new
 * value at a time. Optimizer state is restored when the model's optimizer maps exactly to the one in the file;
 * the result says what happened. A storage failure part way, or the file replaced while it is read, rejects with
 * `StorageFailed` and leaves the weights assigned so far.
 */
export const loadKerasWeights = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<OptimizerOutcome> =>
  (await kerasCode()).loadKerasWeights(model, storage, path)

/**
 * Writes the model as a Keras 3 `.keras` file that Python loads with `keras.models.load_model(path)`.
 * The optimizer and loss go into `compile_config` (with the optimizer state) when both have an exact Keras
 * twin (Adam, SGD, Momentum → SGD(momentum), RMSProp; losses in `LOSSES`); otherwise the file has no
 * compile config and Keras loads the model uncompiled.
 */
export const saveKerasModel = async (model: tfl.LayersModel, storage: Storage, path: string): Promise<void> =>
  (await kerasCode()).saveKerasModel(model, storage, path)

/**
 * Loads a Keras 3 `.keras` file (Sequential or Functional models of the supported layers) as a tfjs model, compiled with
 * the file's optimizer and loss (with its state) where tfjs has exact equivalents; otherwise uncompiled,
 * and the result says why.
 */
export const loadKerasModel = async (storage: Storage, path: string): Promise<LoadedKerasModel> =>
  (await kerasCode()).loadKerasModel(storage, path)

/** The bytes of a `.keras` archive for a tfjs Sequential or Functional model: metadata.json, config.json, model.weights.h5. */
export const encodeKerasModel = async (model: tfl.LayersModel, date: Date = new Date()): Promise<E.Either<KerasFormatError, Uint8Array>> =>
  (await kerasCode()).encodeKerasModel(model, date)

/**
 * The model's weights as a Keras 3 weights file (groups in Keras's layout). Left, naming the layer or
 * optimizer, when something has no exact Keras equivalent; with `includeOptimizer` an unmappable optimizer is an error.
 */
export const kerasWeightsFile = async (
  model: tfl.LayersModel,
  options: KerasWeightsOptions = {},
): Promise<E.Either<KerasFormatError, WeightsFile>> => (await kerasCode()).kerasWeightsFile(model, options)
