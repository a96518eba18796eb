import { CkptError } from '../errors/ckpt-error.js'
import type { ConfigError } from '../policy/index.js'
import { storageFailed, type StorageFailed } from '../storage/errors.js'
import type { SafetensorsError } from '../tensors/errors.js'
import type { ArchiveError } from './export/archive-errors.js'
import type { LockOwner } from './lock-owner.js'
import type { ShardedSafetensorsError } from './shard-index.js'

/** Everything that can go wrong while saving, listing or restoring checkpoints, as values. */
export type CheckpointError =
  | ConfigError
  | { readonly _tag: 'CorruptIndex'; readonly key: string; readonly message: string }
  | { readonly _tag: 'CorruptCheckpoint'; readonly path: string; readonly message: string; readonly fallback: string | null }
  | { readonly _tag: 'NoSuchCheckpoint'; readonly which: string; readonly message: string }
  | { readonly _tag: 'Conflict'; readonly message: string }
  | { readonly _tag: 'WriterLocked'; readonly key: string; readonly owner: LockOwner; readonly message: string }
  | { readonly _tag: 'InvalidSnapshot'; readonly message: string }
  | { readonly _tag: 'PolicyError'; readonly message: string }
  /** A partial restore named tensors the checkpoint does not hold: those (at most 100) and the first 100 it does hold. */
  | {
      readonly _tag: 'UnknownTensors'
      readonly path: string
      readonly unknown: ReadonlyArray<string>
      readonly available: ReadonlyArray<string>
      readonly tensorCount: number
      readonly message: string
    }
  /** A valid checkpoint holding a tensor larger than one JS typed array (`MAX_TENSOR_BYTES`): it cannot be restored here. */
  | Extract<SafetensorsError, { readonly _tag: 'TensorTooLarge' }>
  | ShardedSafetensorsError
  /** An import refused an archive (docs/checkpointer.md, "Export and import"). */
  | ArchiveError
  | StorageFailed

/**
 * The error the Checkpointer's promises reject with. `.error` is the typed value; its fields (`_tag`, `path`,
 * `fallback`…) are repeated on the failure itself, so `e._tag === 'CorruptCheckpoint'` works directly.
 */
export class CheckpointFailure extends CkptError<CheckpointError> {}

/** Throws `error` as a `CheckpointFailure`. */
export const fail = (error: CheckpointError): never => {
  throw new CheckpointFailure(error)
}

/** A `StorageFailed` for whatever a storage promise rejected with. */
export const storageFailure = (cause: unknown, doing: string, key: string): CheckpointError => storageFailed(key, doing, cause)

/** True for the one failure a verified read passes over: a corrupt or incomplete checkpoint. */
export const isCorruption = (e: unknown): e is CheckpointFailure => e instanceof CheckpointFailure && e.error._tag === 'CorruptCheckpoint'
