import * as E from 'fp-ts/lib/Either.js'
import type { TfjsAdapterError } from './errors.js'

/**
 * What a `modelCheckpoint` filepath's ending selects:
 * - `tfjs-layers`: the whole model (topology, weights, optimizer state, training config) as `model.json` + weight file;
 * - `safetensors`: the model's weights only, one safetensors file keyed by the variables' `originalName`.
 */
export type CheckpointFormat = 'tfjs-layers' | 'safetensors'

/** The endings `modelCheckpoint` accepts, and the format each selects. */
export const supportedEndings: ReadonlyArray<readonly [string, CheckpointFormat]> = [
  ['model.json', 'tfjs-layers'],
  ['.safetensors', 'safetensors'],
]

/** Endings reserved for Keras-format files, refused until ckpt writes them. */
const reservedEndings: ReadonlyArray<string> = ['.weights.h5', '.keras', '.h5']

const unsupported = (filepath: string, message: string): E.Either<TfjsAdapterError, never> =>
  E.left({ _tag: 'UnsupportedFilepath', filepath, message: `ckpt/tfjs: filepath ${JSON.stringify(filepath)}: ${message}` })

/**
 * The checkpoint format a filepath template selects by its (literal) ending, checked against
 * `saveWeightsOnly`. Pure.
 *
 * @example
 * checkpointFormat('checkpoints/epoch_{epoch:02d}/model.json', false) // Right('tfjs-layers')
 * checkpointFormat('weights-{epoch}.safetensors', true)              // Right('safetensors')
 */
export const checkpointFormat = (filepath: string, saveWeightsOnly: boolean): E.Either<TfjsAdapterError, CheckpointFormat> => {
  const reserved = reservedEndings.find((e) => filepath.endsWith(e))
  if (reserved !== undefined)
    return unsupported(
      filepath,
      `'${reserved}' is reserved for Keras-format files, which ckpt/tfjs does not write yet; use 'model.json' (whole model, tfjs layers format) or '.safetensors' (weights only)`,
    )
  const hit = supportedEndings.find(([ending]) => filepath.endsWith(ending))
  if (hit === undefined)
    return unsupported(
      filepath,
      `the ending selects the format; supported endings: 'model.json' (whole model, tfjs layers format, e.g. 'checkpoints/epoch_{epoch:02d}/model.json') and '.safetensors' (weights only)`,
    )
  const format = hit[1]
  if (format === 'tfjs-layers' && saveWeightsOnly)
    return unsupported(
      filepath,
      "saveWeightsOnly: true cannot write a 'model.json' (that is the whole model); use a filepath ending in '.safetensors' for weights only",
    )
  return E.right(format)
}
