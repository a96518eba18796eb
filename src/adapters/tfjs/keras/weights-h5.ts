import type * as tfl from '@tensorflow/tfjs-layers'
import { kerasCall, orThrow, storageStep } from '../../../keras/failures.js'
import { checkWeightsPath, readWeightsH5 } from '../../../keras/h5.js'
import { storageSource } from '../../../keras/h5-source.js'
import { weightsH5 } from '../../../keras/h5-write.js'
import type { LazyWeightsFile } from '../../../keras/weights-file.js'
import { ioError, StorageFailure } from '../../../storage/errors.js'
import type { Storage } from '../../../storage/storage.js'
import { applyKerasWeightsFile, weightsFileOf, type KerasWeightsOptions, type OptimizerOutcome } from './weights.js'

/** `saveKerasWeights` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
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

/** `loadKerasWeights` of ckpt/tfjs (documented in ../keras.ts, which loads this module lazily). */
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
