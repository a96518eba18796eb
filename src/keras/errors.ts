/** Every failure of the Keras formats (`.weights.h5`, `.keras`), as a value. */
export type KerasFormatError =
  | { readonly _tag: 'H5Unavailable'; readonly message: string }
  | { readonly _tag: 'InvalidH5'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidKerasArchive'; readonly path: string; readonly message: string }
  | { readonly _tag: 'UnsupportedLayer'; readonly layer: string; readonly className: string; readonly message: string }
  | { readonly _tag: 'UnsupportedConfig'; readonly layer: string; readonly field: string; readonly value: unknown; readonly message: string }
  | { readonly _tag: 'UnsupportedOptimizer'; readonly optimizer: string; readonly message: string }
  | { readonly _tag: 'WeightsMismatch'; readonly path: string; readonly message: string }
  | { readonly _tag: 'InvalidPath'; readonly path: string; readonly message: string }
  | { readonly _tag: 'StorageFailed'; readonly path: string; readonly message: string }

/** The exception the Promise surface rejects with; `error` is the typed value. */
export class CkptKerasError extends Error {
  override readonly name = 'CkptKerasError'
  constructor(readonly error: KerasFormatError) {
    super(error.message)
  }
}

/** Throws `error` wrapped in a `CkptKerasError`. */
export const raise = (error: KerasFormatError): never => {
  throw new CkptKerasError(error)
}

/** The right value, or throws the left one as a `CkptKerasError`. */
export const orThrow = <A>(e: { readonly _tag: 'Left'; readonly left: KerasFormatError } | { readonly _tag: 'Right'; readonly right: A }): A =>
  e._tag === 'Left' ? raise(e.left) : e.right
