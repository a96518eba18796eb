import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../../storage/storage.js'
import type { SaveModelOptions } from './model-io.js'

/** Whole tfjs models in storage. Each call imports the code (model-io.ts, through tools-code.ts) first: a browser bundle loads it then. */

export { CKPT_METADATA_KEY, ckptMetadataOf, type CkptMetadata } from './ckpt-metadata.js'

export type { SaveModelOptions } from './model-io.js'

const code = () => import('./tools-code.js')

/**
 * Saves the whole model (topology, weights, optimizer state, training config) in the tfjs layers format at
 * `path` (ending in `model.json`), through {@link storageIOHandler}. Adds the optimizer state tfjs leaves out
 * (see `HiddenOptimizerState`) to `userDefinedMetadata.ckpt`, so that {@link loadModel} resumes Adam exactly;
 * the files remain loadable by plain `tf.loadLayersModel`. Rejects an optimizer whose state cannot be saved.
 */
export const saveModel = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  options: SaveModelOptions = {},
): Promise<tf.io.SaveResult> => (await code()).saveModel(model, storage, path, options)

/**
 * Loads a model saved in the tfjs layers format at `path`, compiled with its optimizer state when it was saved
 * with it, and puts back the optimizer state that only ckpt saves. ckpt's metadata key is removed from the
 * model's `userDefinedMetadata`.
 */
export const loadModel = async (storage: Storage, path: string): Promise<tfl.LayersModel> => (await code()).loadModel(storage, path)
