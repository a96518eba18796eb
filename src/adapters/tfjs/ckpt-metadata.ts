import type { HiddenOptimizerState } from './optimizer.js'

/** The key ckpt uses in `model.json`'s `userDefinedMetadata`. */
export const CKPT_METADATA_KEY = 'ckpt'

/** What ckpt adds to `model.json`'s `userDefinedMetadata` under {@link CKPT_METADATA_KEY}. */
export interface CkptMetadata {
  readonly optimizerHidden?: HiddenOptimizerState
  /** The checkpoint's entry data (epoch, step, metrics, policy state), when written by the Checkpointer. */
  readonly checkpoint?: unknown
}

/** ckpt's metadata of a saved model (`userDefinedMetadata.ckpt`), or `undefined`. */
export const ckptMetadataOf = (meta: unknown): CkptMetadata | undefined =>
  typeof meta === 'object' && meta !== null && CKPT_METADATA_KEY in meta
    ? ((meta as Record<string, unknown>)[CKPT_METADATA_KEY] as CkptMetadata | undefined)
    : undefined
