import type { Entry } from './index-file.js'

/** How every such line starts. */
export const RESUMED = 'Resumed from '

/**
 * What a resume says (verbose >= 1): the checkpoint resumed from, when it was saved and where training continues,
 * with epochs (and batches) counted from 1, as Keras prints them. After a batch-level save, `restartsEpoch` says that
 * the epoch runs again from its first batch (tfjs cannot start mid-epoch); otherwise training continues after the batch.
 *
 * @example
 * resumedMessage({ path: 'ckpt/last.safetensors', epoch: 5, batch: null }, false)
 * // 'Resumed from ckpt/last.safetensors (saved at the end of epoch 6); training continues at epoch 7
 * //  (epochs counted from 1, as Keras prints them).'   (one line)
 */
export const resumedMessage = (entry: Pick<Entry, 'path' | 'epoch' | 'batch'>, restartsEpoch: boolean): string => {
  const epoch = entry.epoch + 1
  if (entry.batch === null)
    return `${RESUMED}${entry.path} (saved at the end of epoch ${epoch}); training continues at epoch ${epoch + 1} (epochs counted from 1, as Keras prints them).`
  const batch = entry.batch + 1
  const continues = restartsEpoch
    ? `epoch ${epoch} runs again from its first batch (tfjs cannot start mid-epoch)`
    : `training continues at batch ${batch + 1} of epoch ${epoch}`
  return `${RESUMED}${entry.path} (saved after batch ${batch} of epoch ${epoch}); ${continues} (epochs and batches counted from 1, as Keras prints them).`
}
