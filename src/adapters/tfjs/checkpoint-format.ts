import * as E from '#fp-ts/Either.js'
import type { TfjsAdapterError } from './errors.js'

/**
 * What a `modelCheckpoint` filepath's ending selects:
 * - `tfjs-layers` (`model.json`): the whole model (topology, weights, optimizer state, training config) as
 *   `model.json` + weight file;
 * - `safetensors` (`.safetensors`): the model's weights only, one safetensors file keyed by the variables' `originalName`;
 * - `keras-weights` (`.weights.h5`): the weights and optimizer state in Keras 3's weights format (`model.save_weights`);
 * - `keras-model` (`.keras`): the whole model as a Keras 3 archive (`model.save`).
 */
export type CheckpointFormat = 'tfjs-layers' | 'safetensors' | 'keras-weights' | 'keras-model'

/** The endings `modelCheckpoint` accepts, and the format each selects (`.weights.h5` before any shorter ending). */
export const supportedEndings: ReadonlyArray<readonly [string, CheckpointFormat]> = [
  ['model.json', 'tfjs-layers'],
  ['.safetensors', 'safetensors'],
  ['.weights.h5', 'keras-weights'],
  ['.keras', 'keras-model'],
]

/** Whether a format holds the whole model (topology and optimizer) or the weights only. */
export const isWholeModel = (format: CheckpointFormat): boolean => format === 'tfjs-layers' || format === 'keras-model'

/** Whether a format is one of Keras 3's. */
export const isKerasFormat = (format: CheckpointFormat): format is 'keras-weights' | 'keras-model' =>
  format === 'keras-weights' || format === 'keras-model'

const ENDINGS_LIST =
  "'model.json' (whole model, tfjs layers format, e.g. 'checkpoints/epoch_{epoch:02d}/model.json'), '.keras' (whole model, Keras 3 format), " +
  "'.weights.h5' (weights, Keras 3 format) and '.safetensors' (weights only)"

const unsupported = (filepath: string, message: string): E.Either<TfjsAdapterError, never> =>
  E.left({ _tag: 'UnsupportedFilepath', filepath, message: `ckpt/tfjs: ${message}` })

/**
 * The checkpoint format a filepath template selects by its (literal) ending, checked against
 * `saveWeightsOnly` by Keras 3 ModelCheckpoint's rules: weights only needs `.weights.h5` (or `.safetensors`),
 * the whole model needs `.keras` (or `model.json`). `.safetensors` writes weights only whatever
 * `saveWeightsOnly` says. Pure.
 *
 * @example
 * checkpointFormat('checkpoints/epoch_{epoch:02d}/model.json', false) // Right('tfjs-layers')
 * checkpointFormat('best_model.weights.h5', true)                     // Right('keras-weights')
 * checkpointFormat('checkpoints/model_epoch_{epoch:02d}.keras', false) // Right('keras-model')
 * checkpointFormat('model.keras', true)                               // Left(UnsupportedFilepath)
 */
export const checkpointFormat = (filepath: string, saveWeightsOnly: boolean): E.Either<TfjsAdapterError, CheckpointFormat> => {
  const hit = supportedEndings.find(([ending]) => filepath.endsWith(ending))
  if (hit === undefined) {
    if (filepath.endsWith('.h5') || filepath.endsWith('.hdf5'))
      return unsupported(
        filepath,
        `filepath=${filepath}: ckpt does not write legacy HDF5 whole-model files ('.h5'/'.hdf5', deprecated by Keras 3 itself). ` +
          `The ending selects the format; supported endings: ${ENDINGS_LIST}`,
      )
    return unsupported(filepath, `filepath=${filepath}: the ending selects the format; supported endings: ${ENDINGS_LIST}`)
  }
  const format = hit[1]
  if (saveWeightsOnly && isWholeModel(format))
    return unsupported(
      filepath,
      'When using `saveWeightsOnly: true` in modelCheckpoint, the filepath provided must end in `.weights.h5` (Keras weights format) or `.safetensors`. ' +
        `Received: filepath=${filepath} (a whole-model ending: set saveWeightsOnly: false to save the whole model)`,
    )
  if (!saveWeightsOnly && format === 'keras-weights')
    return unsupported(
      filepath,
      'When using `saveWeightsOnly: false` in modelCheckpoint, the filepath provided must end in `.keras` (Keras model format) or `model.json` (tfjs layers format). ' +
        `Received: filepath=${filepath} (a weights-only ending: set saveWeightsOnly: true to save the weights)`,
    )
  return E.right(format)
}

/**
 * `lastFilepath` (saveLast) must select the format `filepath` selected: `last` is written by the same serializer.
 *
 * @example checkLastFilepath('last/model.json', 'tfjs-layers') // Right('tfjs-layers')
 */
export const checkLastFilepath = (lastFilepath: string, format: CheckpointFormat): E.Either<TfjsAdapterError, CheckpointFormat> => {
  const hit = supportedEndings.find(([ending]) => lastFilepath.endsWith(ending))
  if (hit !== undefined && hit[1] === format) return E.right(format)
  const endings = supportedEndings.filter(([, f]) => f === format).map(([ending]) => `'${ending}'`)
  return unsupported(
    lastFilepath,
    `lastFilepath=${lastFilepath}: got ${hit === undefined ? 'an ending no format has' : `the ending '${hit[0]}' (format ${hit[1]})`}; expected a path ending in ${endings.join(' or ')}, as filepath does: "last" is written in filepath's format (${format})`,
  )
}
