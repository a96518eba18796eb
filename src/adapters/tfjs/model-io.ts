import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../../storage/storage.js'
import { CKPT_METADATA_KEY, type CkptMetadata } from './ckpt-metadata.js'
import { storageIOHandler } from './io-handler.js'
import { assertCheckpointableOptimizer, hiddenOptimizerState, restoreHiddenOptimizerState } from './optimizer.js'

/** `saveModel` and `loadModel` (model.ts documents them), imported at their first call (tools-code.ts). */

export interface SaveModelOptions {
  /** Save the optimizer state and training config. Default `true`. */
  readonly includeOptimizer?: boolean
}

export const saveModel = async (
  model: tfl.LayersModel,
  storage: Storage,
  path: string,
  options: SaveModelOptions = {},
): Promise<tf.io.SaveResult> => {
  const includeOptimizer = options.includeOptimizer ?? true
  const handler = storageIOHandler(storage, path)
  if (includeOptimizer) assertCheckpointableOptimizer(model)
  const hidden = includeOptimizer ? hiddenOptimizerState(model.optimizer) : null
  const ckpt: CkptMetadata = hidden === null ? {} : { optimizerHidden: hidden }
  const save = () =>
    model.save(
      tf.io.withSaveHandler((artifacts) =>
        (handler.save as NonNullable<tf.io.IOHandler['save']>)({
          ...artifacts,
          userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), [CKPT_METADATA_KEY]: ckpt },
        }),
      ),
      { includeOptimizer },
    )
  return includeOptimizer && model.optimizer != null ? disposingOptimizerTemporaries(model.optimizer, save) : save()
}

/**
 * Runs `run` (a `model.save`) and then disposes the tensors `optimizer.getWeights()` created for it.
 * tfjs's `model.save(..., { includeOptimizer: true })` never disposes the `iter` scalar that `getWeights`
 * makes, leaking one tensor per save. The optimizer's own variables are left alone.
 */
const disposingOptimizerTemporaries = async <A>(optimizer: tf.Optimizer, run: () => Promise<A>): Promise<A> => {
  const created: tf.Tensor[] = []
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, and called with .call(optimizer)
  const original = optimizer.getWeights
  const spy = async (): ReturnType<tf.Optimizer['getWeights']> => {
    const ws = await original.call(optimizer)
    for (const w of ws) if (!(w.tensor instanceof tf.Variable)) created.push(w.tensor)
    return ws
  }
  optimizer.getWeights = spy
  try {
    return await run()
  } finally {
    if (optimizer.getWeights === spy) delete (optimizer as { getWeights?: unknown }).getWeights
    if (optimizer.getWeights !== original) optimizer.getWeights = original
    tf.dispose(created)
  }
}

export const loadModel = async (storage: Storage, path: string): Promise<tfl.LayersModel> =>
  completeLoadedModel(await tfl.loadLayersModel(storageIOHandler(storage, path)))

/**
 * Finishes a model `tfl.loadLayersModel` built from ckpt's files: restores the optimizer state only ckpt
 * saves, and removes ckpt's key from `userDefinedMetadata`.
 */
export const completeLoadedModel = (model: tfl.LayersModel): tfl.LayersModel => {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined
  if (meta === undefined || !(CKPT_METADATA_KEY in meta)) return model
  const { [CKPT_METADATA_KEY]: ckpt, ...rest } = meta
  const hidden = (ckpt as CkptMetadata | undefined)?.optimizerHidden
  if (hidden !== undefined) restoreHiddenOptimizerState(model.optimizer, hidden)
  if (Object.keys(rest).length > 0) model.setUserDefinedMetadata(rest)
  else (model as unknown as { userDefinedMetadata?: object }).userDefinedMetadata = undefined
  return model
}
