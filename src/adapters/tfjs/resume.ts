import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { Storage } from '../../storage/storage.js'
import type { FitResumableOptions, fitResumable as FitResumableCode } from './fit-resumable.js'
import type { RestoredTraining, RestoreOptions } from './restore.js'

/** Restoring for ckpt/tfjs. Each call imports the restore code (resume-code.ts) first: a browser bundle loads it at the first restore. */

export type { FitResumableOptions, RestoredTraining, RestoreOptions }

const code = () => import('./resume-code.js')
type FitResumable = typeof FitResumableCode

/**
 * Restores the newest checkpoint in `storage` (written by `modelCheckpoint` with a `model.json` or `.keras`
 * filepath): the compiled model with its optimizer state, and the `initialEpoch` to continue with.
 * Rejects with `WeightsOnlyCheckpoint` for a `.safetensors` or `.weights.h5` checkpoint. Needs nothing but the
 * storage. Resolves to `null` when there is nothing to resume.
 *
 * @example
 * const r = await restoreLatest(storage)
 * const model = r?.model ?? buildAndCompile()
 * await model.fit(xs, ys, { epochs: 10, initialEpoch: r?.initialEpoch ?? 0, callbacks: [modelCheckpoint({ storage, ...sameOptions })] })
 */
export const restoreLatest = async (storage: Storage, options: RestoreOptions = {}): Promise<RestoredTraining | null> =>
  (await code()).restoreLatest(storage, options)

/** Like {@link restoreLatest}, for the best checkpoint by the writer's monitor and mode (ties to the older, as everywhere in ckpt). */
export const restoreBest = async (storage: Storage, options: RestoreOptions = {}): Promise<RestoredTraining | null> =>
  (await code()).restoreBest(storage, options)

/**
 * Puts a whole-model checkpoint's weights and optimizer state into an existing compiled `model` (the same
 * architecture and optimizer class). Everything is checked first (names, shapes, dtypes, optimizer class);
 * on a mismatch nothing changes. The optimizer's previous state variables are disposed.
 */
export const applyArtifacts = async (model: tfl.LayersModel, artifacts: tf.io.ModelArtifacts, path: string): Promise<void> =>
  (await code()).applyArtifacts(model, artifacts, path)

/**
 * `model.fit` that survives interruptions, like Keras's BackupAndRestore: if `storage` holds a backup, its
 * weights and optimizer state are put INTO `model` (which must be built and compiled as before, with the same
 * optimizer class) and training continues at the epoch after the backup's; otherwise it trains from scratch.
 * The weights are read in verified groups of at most 64 MiB straight into the model's variables, so resuming holds
 * the model and one group, not a second copy of it. A backup that fails verification rejects with
 * `CorruptCheckpoint` (the model's weights may then be partly replaced: build it again to start over).
 * A backup of the whole model is committed at every epoch end. `fitArgs.epochs` is the total, as in Keras;
 * `fitArgs.initialEpoch` is used only when there is no backup. Resolves to `fit`'s History (of the epochs run now).
 *
 * tfjs reads `initialEpoch` before any callback runs, which is why this is a function and not a callback.
 *
 * @example
 * const model = buildAndCompile()  // same code on every (re)start
 * await fitResumable(model, xs, ys, { epochs: 20, batchSize: 32 }, { storage: fsStorage('backup') })
 */
export const fitResumable = async (...args: Parameters<FitResumable>): Promise<tfl.History> => (await code()).fitResumable(...args)
