import type * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { loadIndex } from '../../checkpointer/index-store.js'
import { INDEX_KEY } from '../../checkpointer/index-file.js'
import type { Storage } from '../../storage/storage.js'
import { modelCheckpoint } from './callback.js'
import { checkModelJsonPath } from './layout.js'
import { fail } from './errors.js'
import { resumeInto, sayResumed } from './restore.js'
import { RESUMED } from '../../checkpointer/resumed-message.js'
import * as E from '#fp-ts/Either.js'

/** Options of {@link fitResumable} (Keras's BackupAndRestore: `backup_dir` → `storage`, `delete_checkpoint` → `deleteCheckpoint`). */
export interface FitResumableOptions {
  /** Where the backup goes. Use a storage (or prefix) of its own: the backup's index sits at its root. Required. */
  readonly storage: Storage
  /** The backup's path; must end in `model.json`. Default `'backup/model.json'` (overwritten each epoch). */
  readonly filepath?: string
  /** Remove the backup when `fit` ends normally (including `model.stopTraining`), as Keras does. Default `true`. */
  readonly deleteCheckpoint?: boolean
  /** Write each backup in the background. Default `false`. */
  readonly async?: boolean
  /** 1 prints Keras's saving messages. Default 0. */
  readonly verbose?: number
  /** Where messages go. Default `console.log`. */
  readonly log?: (line: string) => void
}

type Callbacks = tfl.ModelFitArgs['callbacks']

/** The user's callbacks as tf.Callback instances, so that ours (a tf.Callback) can join the list. */
const asCallbackList = (callbacks: Callbacks): tfl.CustomCallback[] | tfl.Callback[] => {
  if (callbacks == null) return []
  const list = Array.isArray(callbacks) ? callbacks : [callbacks]
  return list.map((c) =>
    c instanceof tfl.Callback || c instanceof tfl.CustomCallback ? c : new tfl.CustomCallback(c as tfl.CustomCallbackArgs),
  ) as tfl.Callback[]
}

/** Removes the backup's files and its index, the index file last but its segments (only what the index lists). */
const deleteBackup = async (storage: Storage): Promise<void> => {
  const loaded = await loadIndex(storage)
  if (loaded === null) return
  const { checkpoints, replacing, removing } = loaded.doc
  const keys = new Set([...checkpoints, ...replacing, ...removing].flatMap((e) => e.files.map((f) => f.key)))
  for (const key of keys) await storage.remove(key)
  await storage.remove(INDEX_KEY)
  for (const segment of loaded.state.head.segments) await storage.remove(segment.key)
}

/** `fitResumable` of ckpt/tfjs (documented in resume.ts, which loads this module lazily). */
export const fitResumable = async (
  model: tfl.LayersModel,
  x: tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor },
  y: tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor },
  fitArgs: tfl.ModelFitArgs,
  options: FitResumableOptions,
): Promise<tfl.History> => {
  if (typeof options !== 'object' || options === null)
    return fail({ _tag: 'InvalidOptions', message: `ckpt/tfjs: fitResumable options: got ${String(options)}; expected { storage, ... }` })
  const filepath = options.filepath ?? 'backup/model.json'
  const path = checkModelJsonPath(filepath)
  if (E.isLeft(path))
    return fail({
      _tag: 'InvalidOptions',
      message: `ckpt/tfjs: fitResumable option filepath: got ${JSON.stringify(filepath)}; expected a path ending in 'model.json' (the backup holds the whole model)`,
    })
  const log = options.log ?? ((line: string) => console.log(line))
  const callback = modelCheckpoint({
    storage: options.storage,
    filepath,
    monitor: 'loss',
    saveFreq: 'epoch',
    maxToKeep: 1,
    verbose: options.verbose ?? 0,
    ...(options.async !== undefined ? { async: options.async } : {}),
    // fitResumable says what it resumed from (and what it passed over) itself: not a second time when fit begins.
    log: (line) => {
      if (!line.startsWith(RESUMED)) log(line)
    },
  })
  const say = { verbose: options.verbose ?? 0, log }
  const backup = await resumeInto(model, options.storage, say)
  let initialEpoch = fitArgs.initialEpoch ?? 0
  if (backup !== null) {
    initialEpoch = backup.initialEpoch
    sayResumed(say, backup.entry, backup.skipped)
  }
  // Ours first: an epoch's backup is committed before user callbacks (which may throw) run.
  let history: tfl.History
  try {
    history = await model.fit(x, y, {
      ...fitArgs,
      initialEpoch,
      callbacks: [callback, ...asCallbackList(fitArgs.callbacks)] as tfl.Callback[],
    })
  } catch (e) {
    // Interrupted: let a background backup finish (its own failure is secondary) and free the folder for the
    // process that resumes, then report the interruption.
    await callback.releaseWriterLock().catch(() => undefined)
    throw e
  }
  if (options.deleteCheckpoint ?? true) await deleteBackup(options.storage)
  return history
}
