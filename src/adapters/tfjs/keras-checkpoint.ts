import type * as tfl from '@tensorflow/tfjs-layers'
import * as E from '#fp-ts/Either.js'
import { kerasModelSupport, kerasWeightsSupport } from '../../keras/checkpointable.js'
import { CkptKerasError, type KerasFormatError } from '../../keras/errors.js'
import type { WeightsFile } from '../../keras/weights-file.js'
import { kerasCode } from './keras/load.js'
import { layerInfos, optimizerOf } from './keras/model-structure.js'
import { innerSequential, sequentialViewOf } from './sequential-view.js'

/** The Keras formats a `modelCheckpoint` filepath can select. */
export type KerasCheckpointFormat = 'keras-weights' | 'keras-model'

const ENDING: Record<KerasCheckpointFormat, string> = { 'keras-weights': '.weights.h5', 'keras-model': '.keras' }
const ALTERNATIVE: Record<KerasCheckpointFormat, string> = {
  'keras-weights': "use a '.safetensors' filepath (weights only, any tfjs model)",
  'keras-model': "use a 'model.json' filepath (whole model, tfjs layers format)",
}

/** The error, with what modelCheckpoint was doing and what to do instead. */
const inContext = (format: KerasCheckpointFormat, filepath: string, error: KerasFormatError): CkptKerasError =>
  new CkptKerasError({
    ...error,
    message: `ckpt/tfjs: modelCheckpoint cannot write this model as '${ENDING[format]}' (filepath=${filepath}): ${error.message.replace(/^ckpt\/keras: /, '')}. Change the model, or ${ALTERNATIVE[format]}`,
  })

/**
 * The model as Keras sees it: `Sequential.fit`'s inner model (sequential-view.ts) seen through as the Sequential,
 * without its InputLayer, as Keras lays a Sequential's files out. Any other model is returned as it is.
 */
export const kerasView = (model: tfl.LayersModel): tfl.LayersModel => {
  const inner = innerSequential(model)
  return inner === null ? model : sequentialViewOf(model, inner.chain)
}

/**
 * The snapshot a Keras-format checkpoint saves, read from the model now: its weights file (weights and
 * optimizer state) for `.weights.h5`, the archive's bytes for `.keras`. Both are fresh copies, never
 * shared with the model. Rejects with a `CkptKerasError` in context.
 */
export const kerasSnapshot = async (
  format: KerasCheckpointFormat,
  filepath: string,
  model: tfl.LayersModel,
): Promise<WeightsFile | Uint8Array> => {
  const seen = kerasView(model)
  const code = await kerasCode()
  const taken = format === 'keras-weights' ? await code.kerasWeightsFile(seen) : await code.encodeKerasModel(seen)
  if (E.isLeft(taken)) throw inContext(format, filepath, taken.left)
  return taken.right
}

/**
 * Whether the model can be checkpointed in `format`, from its structure alone (no weight read): every layer
 * and the optimizer (and for `.keras` the loss) must map exactly to Keras 3. Left with a `CkptKerasError`
 * that names what does not map and says what to do instead.
 */
export const kerasCheckpointable = (
  format: KerasCheckpointFormat,
  filepath: string,
  model: tfl.LayersModel,
): E.Either<CkptKerasError, void> => {
  const seen = kerasView(model)
  const layers = layerInfos(seen)
  const optimizer = optimizerOf(seen)?.getClassName() ?? null
  const checked =
    format === 'keras-weights'
      ? kerasWeightsSupport(layers, optimizer)
      : kerasModelSupport(layers, optimizer, (seen as unknown as { loss?: unknown }).loss)
  return E.isLeft(checked) ? E.left(inContext(format, filepath, checked.left)) : E.right(undefined)
}

/**
 * {@link kerasCheckpointable}, then a dry run of the snapshot (everything a save does but the write), so
 * that whatever cannot be written (a layer configuration, the topology) is refused before training.
 */
export const assertKerasCheckpointable = async (format: KerasCheckpointFormat, filepath: string, model: tfl.LayersModel): Promise<void> => {
  const checked = kerasCheckpointable(format, filepath, model)
  if (E.isLeft(checked)) throw checked.left
  await kerasSnapshot(format, filepath, model)
}
