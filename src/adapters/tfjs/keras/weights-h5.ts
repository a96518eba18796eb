import type * as tfl from '@tensorflow/tfjs-layers'
import { kerasCall, orThrow, storageStep } from '../../../keras/errors.js'
import { checkWeightsPath, readWeightsH5 } from '../../../keras/h5.js'
import { storageSource } from '../../../keras/h5-source.js'
import { weightsH5 } from '../../../keras/h5-write.js'
import type { LazyWeightsFile } from '../../../keras/weights-file.js'
import { ioError, StorageFailure } from '../../../storage/errors.js'
import type { Storage } from '../../../storage/storage.js'
import { applyKerasWeightsFile, weightsFileOf, type KerasWeightsOptions, type OptimizerOutcome } from './weights.js'

/**
 * Writes the model's weights as a Keras 3 `.weights.h5` file at `path` (atomic, a Storage guarantee), which
 * Python Keras loads with `model.load_weights(path)` into the same architecture. `path` must end in `.weights.h5`.
 * The weights stream from the model's own arrays (cpu backend) to the storage: nothing is copied or joined.
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
    const file = orThrow(await weightsFileOf(model, options, false))
    const h5 = orThrow(weightsH5(file))
    await storageStep(path, 'writing', () => storage.write(path, h5.chunks))
  })

/**
 * Loads a Keras 3 `.weights.h5` file (from `model.save_weights`, or {@link saveKerasWeights}) into the model.
 * Every weight is checked first; on any mismatch it rejects and the model is unchanged. Then each weight is
 * read (a ranged read of its bytes) and assigned in turn, so a file of any size loads holding one weight's new
 * value at a time. Optimizer state is restored when the model's optimizer maps exactly to the one in the file;
 * the result says what happened. A storage failure part way, or the file replaced while it is read, rejects with
 * `StorageFailed` and leaves the weights assigned so far.
 */
export const loadKerasWeights = (model: tfl.LayersModel, storage: Storage, path: string): Promise<OptimizerOutcome> =>
  kerasCall(path, async () => {
    const source = await storageStep(path, 'reading', () => storageSource(storage, path))
    const file = await storageStep(path, 'reading', async () => orThrow(await readWeightsH5(source, path)))
    const reading: LazyWeightsFile = {
      groups: file.groups.map((g) => ({ ...g, vars: g.vars.map((a) => ({ ...a, data: () => storageStep(path, 'reading', a.data) })) })),
    }
    const outcome = await applyKerasWeightsFile(model, reading, path)
    await storageStep(path, 'reading', async () => {
      const now = await storage.stat(path)
      if (now?.etag !== source.etag)
        throw new StorageFailure(
          ioError(path, `'${path}' was replaced while it was read: the model may hold weights of both versions`, null),
        )
    })
    return outcome
  })
