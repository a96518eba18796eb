import type { StorageError } from '../../storage/errors.js'

import type { WeightMismatch } from '../../keras/weight-mismatch.js'
export type { WeightMismatch }

/** Every failure of the tfjs adapter, as a value. */
export type TfjsAdapterError =
  | { readonly _tag: 'BackendUnavailable'; readonly backend: string; readonly reason: string; readonly message: string }
  | { readonly _tag: 'InvalidModelPath'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidModelJson'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidArtifacts'; readonly path: string; readonly message: string }
  | { readonly _tag: 'StorageFailed'; readonly key: string; readonly cause: StorageError; readonly message: string }
  | { readonly _tag: 'ConcurrentSave'; readonly path: string; readonly message: string }
  | { readonly _tag: 'UnsupportedDtype'; readonly name: string; readonly dtype: string; readonly message: string }
  | { readonly _tag: 'DuplicateWeightName'; readonly name: string; readonly message: string }
  | { readonly _tag: 'WeightsMismatch'; readonly path: string; readonly mismatches: ReadonlyArray<WeightMismatch>; readonly message: string }
  | { readonly _tag: 'InvalidWeightsFile'; readonly path: string; readonly message: string }
  | { readonly _tag: 'UnsupportedOptimizer'; readonly optimizer: string; readonly supported: ReadonlyArray<string>; readonly message: string }
  | { readonly _tag: 'InvalidOptions'; readonly message: string }
  | { readonly _tag: 'UnsupportedFilepath'; readonly filepath: string; readonly message: string }
  | { readonly _tag: 'NoModel'; readonly message: string }
  | { readonly _tag: 'WeightsOnlyCheckpoint'; readonly path: string; readonly message: string }
  | { readonly _tag: 'OptimizerMismatch'; readonly saved: string; readonly model: string; readonly message: string }

/**
 * The exception the Promise surface rejects with. `error` is the typed value;
 * `message` repeats its message so that tfjs and users see a readable reason.
 */
export class CkptTfjsError extends Error {
  override readonly name = 'CkptTfjsError'
  constructor(readonly error: TfjsAdapterError) {
    super(error.message)
  }
}

/** Throws `error` wrapped in a `CkptTfjsError`. */
export const fail = (error: TfjsAdapterError): never => {
  throw new CkptTfjsError(error)
}

const isStorageError = (e: unknown): e is StorageError =>
  typeof e === 'object' && e !== null && typeof (e as { _tag?: unknown })._tag === 'string' && typeof (e as { key?: unknown }).key === 'string'

/** The `StorageError` value of a storage rejection: the value itself, or the one an Error wrapper carries as `.error`. */
const asStorageError = (key: string, e: unknown): StorageError => {
  const inner = typeof e === 'object' && e !== null ? (e as { error?: unknown }).error : undefined
  if (isStorageError(inner)) return inner
  if (isStorageError(e)) return e
  return { _tag: 'IOError', key, message: e instanceof Error ? e.message : String(e), cause: e }
}

/** Runs a storage call, turning its rejection into a `StorageFailed` that names the key and the step. */
export const storageCall = async <A>(key: string, step: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (e) {
    const cause = asStorageError(key, e)
    return fail({ _tag: 'StorageFailed', key, cause, message: `ckpt/tfjs: ${step} '${key}' failed: ${cause._tag}: ${cause.message}` })
  }
}
