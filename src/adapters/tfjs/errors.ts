import type { Either } from '#fp-ts/Either.js'
import { CkptError } from '../../errors/ckpt-error.js'
import { asStorageError, ioError, type StorageFailed } from '../../storage/errors.js'

import type { WeightMismatch } from '../../keras/weight-mismatch.js'
export type { WeightMismatch }

/** Every failure of the tfjs adapter, as a value. */
export type TfjsAdapterError =
  | { readonly _tag: 'BackendUnavailable'; readonly backend: string; readonly reason: string; readonly message: string }
  /** Importing ckpt/tfjs in Node without tfjs installed: which package is missing; the message says what to install. */
  | { readonly _tag: 'MissingPackage'; readonly package: string; readonly message: string }
  | { readonly _tag: 'InvalidModelPath'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidModelJson'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidArtifacts'; readonly path: string; readonly message: string }
  | StorageFailed
  | { readonly _tag: 'ConcurrentSave'; readonly path: string; readonly message: string }
  | { readonly _tag: 'UnsupportedDtype'; readonly name: string; readonly dtype: string; readonly message: string }
  | { readonly _tag: 'DuplicateWeightName'; readonly name: string; readonly message: string }
  | {
      readonly _tag: 'WeightsMismatch'
      readonly path: string
      readonly mismatches: ReadonlyArray<WeightMismatch>
      readonly message: string
    }
  | { readonly _tag: 'InvalidWeightsFile'; readonly path: string; readonly message: string }
  | {
      readonly _tag: 'UnrecognizedWeightsFile'
      readonly path: string
      /** What the file's first bytes are, in words. */
      readonly found: string
      /** The endings loadWeights reads. */
      readonly accepted: ReadonlyArray<string>
      readonly message: string
    }
  | {
      readonly _tag: 'UnsupportedOptimizer'
      readonly optimizer: string
      readonly supported: ReadonlyArray<string>
      /** The setting refused (`momentum`…) when the optimizer maps but this value of it does not (Keras formats). */
      readonly setting?: string
      readonly message: string
    }
  | { readonly _tag: 'InvalidOptions'; readonly message: string }
  | { readonly _tag: 'UnsupportedFilepath'; readonly filepath: string; readonly message: string }
  | { readonly _tag: 'NoModel'; readonly message: string }
  | { readonly _tag: 'WeightsOnlyCheckpoint'; readonly path: string; readonly message: string }
  | { readonly _tag: 'OptimizerMismatch'; readonly saved: string; readonly model: string; readonly message: string }

/** The error the tfjs adapter throws and rejects with; `error` is the typed value, its fields repeated on the error. */
export class CkptTfjsError extends CkptError<TfjsAdapterError> {}

/** Throws `error` wrapped in a `CkptTfjsError`. */
export const fail = (error: TfjsAdapterError): never => {
  throw new CkptTfjsError(error)
}

/** The right value, or the left one thrown as a `CkptTfjsError`: the edge where the pure checks meet tfjs's throwing API. */
export const orThrow = <A>(e: Either<TfjsAdapterError, A>): A => (e._tag === 'Left' ? fail(e.left) : e.right)

/** Runs a storage call, turning its rejection into a `StorageFailed` that names the key and the step. */
export const storageCall = async <A>(key: string, step: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (e) {
    // ckpt's own non-storage errors (a corrupt checkpoint, say) pass through as they are.
    if (CkptError.is(e) && asStorageError(e) === null) throw e
    const cause = asStorageError(e) ?? ioError(key, e instanceof Error ? e.message : String(e), e)
    return fail({ _tag: 'StorageFailed', key, cause, message: `ckpt/tfjs: ${step} '${key}' failed: ${cause._tag}: ${cause.message}` })
  }
}
