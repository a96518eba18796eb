import type { StorageError } from '../storage/errors.js'

/** Everything that can go wrong while saving, listing or restoring checkpoints, as values. */
export type CheckpointError =
  | { readonly _tag: 'ConfigError'; readonly message: string }
  | { readonly _tag: 'CorruptIndex'; readonly key: string; readonly message: string }
  | { readonly _tag: 'CorruptCheckpoint'; readonly path: string; readonly message: string; readonly fallback: string | null }
  | { readonly _tag: 'NoSuchCheckpoint'; readonly which: string; readonly message: string }
  | { readonly _tag: 'Conflict'; readonly message: string }
  | { readonly _tag: 'InvalidSnapshot'; readonly message: string }
  | { readonly _tag: 'PolicyError'; readonly message: string }
  | { readonly _tag: 'StorageError'; readonly storageError: StorageError; readonly message: string }

/**
 * The Error the promise surface rejects with. `.error` is the typed value; its fields (`_tag`, `path`,
 * `fallback`…) are repeated on the failure itself, so `e._tag === 'CorruptCheckpoint'` works directly.
 */
export class CheckpointFailure extends Error {
  readonly _tag: CheckpointError['_tag']
  constructor(readonly error: CheckpointError) {
    super(error.message)
    Object.assign(this, error)
    this.name = `CheckpointFailure(${error._tag})`
    this._tag = error._tag
  }
}

export const fromStorageError = (error: StorageError, doing: string): CheckpointError => ({
  _tag: 'StorageError',
  storageError: error,
  message: `${doing}: ${error.message}`,
})

/** Unwraps whatever a storage promise rejected with into a typed error. */
export const storageFailure = (cause: unknown, doing: string, key: string): CheckpointError => {
  const typed = asStorageError(cause)
  return fromStorageError(typed ?? { _tag: 'IOError', key, message: String(cause), cause }, doing)
}

const storageTags = new Set(['NotFound', 'AlreadyExists', 'PreconditionFailed', 'InvalidKey', 'Unsupported', 'IOError'])

/** The StorageError inside a rejection: either the value itself or an Error carrying it as `.error`. */
export const asStorageError = (cause: unknown): StorageError | null => {
  if (typeof cause !== 'object' || cause === null) return null
  const c = cause as { _tag?: unknown; error?: unknown }
  if (typeof c.error === 'object' && c.error !== null && storageTags.has((c.error as { _tag?: string })._tag ?? '')) return c.error as StorageError
  if (typeof c._tag === 'string' && storageTags.has(c._tag) && typeof (c as { key?: unknown }).key === 'string') return cause as StorageError
  return null
}
