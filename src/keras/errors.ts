import { CkptError } from '../errors/ckpt-error.js'
import type { StorageFailed } from '../storage/errors.js'
import type { WeightMismatch } from './weight-mismatch.js'

/** A value from a file, for a message: a primitive as `String` renders it, an array or object as JSON (never `[object Object]`). */
export const jsonText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))

/** Every failure of the Keras formats (`.weights.h5`, `.keras`), as a value. */
export type KerasFormatError =
  | { readonly _tag: 'H5Unavailable'; readonly message: string }
  /** `object`: the HDF5 path in the file the problem is at, `/` for the file itself. */
  | { readonly _tag: 'InvalidH5'; readonly path: string; readonly object: string; readonly message: string }
  | { readonly _tag: 'InvalidKerasArchive'; readonly path: string; readonly message: string }
  | {
      readonly _tag: 'UnsupportedLayer'
      /** The first layer refused; `layers` lists every one when a model has several. */
      readonly layer: string
      readonly className: string
      readonly layers?: ReadonlyArray<{ readonly layer: string; readonly className: string }>
      readonly message: string
    }
  | {
      readonly _tag: 'UnsupportedConfig'
      readonly layer: string
      readonly field: string
      readonly value: unknown
      readonly message: string
    }
  | {
      readonly _tag: 'UnsupportedOptimizer'
      readonly optimizer: string
      readonly supported: ReadonlyArray<string>
      /** The setting refused (`momentum`…) when the optimizer maps but this value of it does not. */
      readonly setting?: string
      readonly message: string
    }
  | {
      readonly _tag: 'WeightsMismatch'
      readonly path: string
      readonly mismatches: ReadonlyArray<WeightMismatch>
      readonly message: string
    }
  | { readonly _tag: 'InvalidPath'; readonly path: string; readonly message: string }
  | { readonly _tag: 'ModelFailed'; readonly path: string; readonly message: string }
  | StorageFailed

/** The exception the Promise surface rejects with: a `CkptError` whose `error` is the typed value. */
export class CkptKerasError extends CkptError<KerasFormatError> {}

/** `WeightsMismatch` for the weights in `path`, listing every mismatch and, readably, what each one is. */
export const weightsMismatch = (
  path: string,
  mismatches: ReadonlyArray<WeightMismatch>,
  details: ReadonlyArray<string>,
): KerasFormatError => ({
  _tag: 'WeightsMismatch',
  path,
  mismatches,
  message: `ckpt/keras: the weights in '${path}' do not match the model; nothing was changed: ${details.join('; ')}`,
})

/** `UnsupportedOptimizer`, with the optimizers ckpt maps to Keras 3 (and the setting refused, if it is one). */
export const unsupportedOptimizer = (
  optimizer: string,
  supported: ReadonlyArray<string>,
  message: string,
  setting?: string,
): KerasFormatError => ({
  _tag: 'UnsupportedOptimizer',
  optimizer,
  supported,
  ...(setting === undefined ? {} : { setting }),
  message,
})
