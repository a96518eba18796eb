import { CkptError } from '../errors/ckpt-error.js'
import type { Either } from '#fp-ts/Either.js'

/** Typed storage failures. Every adapter reports exactly these; nothing else escapes. */
export type StorageError =
  | { readonly _tag: 'NotFound'; readonly key: string; readonly message: string }
  | { readonly _tag: 'AlreadyExists'; readonly key: string; readonly message: string }
  | { readonly _tag: 'PreconditionFailed'; readonly key: string; readonly message: string }
  | { readonly _tag: 'InvalidKey'; readonly key: string; readonly message: string }
  | { readonly _tag: 'Unsupported'; readonly key: string; readonly message: string }
  | { readonly _tag: 'IOError'; readonly key: string; readonly message: string; readonly cause: unknown }
  /** The backend refused the bytes for lack of space (a browser origin's quota); what was stored before is intact. */
  | { readonly _tag: 'QuotaExceeded'; readonly key: string; readonly message: string; readonly cause: unknown }

export type StorageErrorTag = StorageError['_tag']

export const notFound = (key: string, message = `no object at key "${key}"`): StorageError => ({ _tag: 'NotFound', key, message })

export const alreadyExists = (key: string, message = `an object already exists at key "${key}" (write used ifAbsent)`): StorageError => ({
  _tag: 'AlreadyExists',
  key,
  message,
})

export const preconditionFailed = (key: string, message: string): StorageError => ({ _tag: 'PreconditionFailed', key, message })

export const invalidKey = (key: string, message: string): StorageError => ({ _tag: 'InvalidKey', key, message })

export const unsupported = (key: string, message: string): StorageError => ({ _tag: 'Unsupported', key, message })

export const ioError = (key: string, message: string, cause: unknown): StorageError => ({ _tag: 'IOError', key, message, cause })

export const quotaExceeded = (key: string, message: string, cause: unknown): StorageError => ({
  _tag: 'QuotaExceeded',
  key,
  message,
  cause,
})

const TAGS: ReadonlySet<string> = new Set<StorageErrorTag>([
  'NotFound',
  'AlreadyExists',
  'PreconditionFailed',
  'InvalidKey',
  'Unsupported',
  'IOError',
  'QuotaExceeded',
])

/** True for a `StorageError` value (or a `StorageFailure`, which carries the same fields). */
export const isStorageError = (u: unknown): u is StorageError =>
  typeof u === 'object' &&
  u !== null &&
  TAGS.has((u as { _tag?: unknown })._tag as string) &&
  typeof (u as { key?: unknown }).key === 'string'

/**
 * What the Promise surface rejects with: a `CkptError` that carries the `StorageError` value as `.error` and
 * repeats its `_tag`, `key` and `message`, so `e._tag === 'NotFound'` works on it directly. For an `IOError`,
 * `.cause` is the underlying cause.
 *
 * @example
 * try { await storage.read('a') } catch (e) { if (isStorageFailure(e) && e._tag === 'NotFound') ... }
 */
export class StorageFailure extends CkptError<StorageError> {
  declare readonly key: string

  constructor(error: StorageError) {
    super(error)
  }
}

export const isStorageFailure = (u: unknown): u is StorageFailure => u instanceof StorageFailure

/**
 * A storage call that failed inside a larger operation (a save, a restore, a model load): which key, what was
 * being done, and the storage's own error as `cause`. One shape wherever ckpt wraps a storage failure.
 */
export interface StorageFailed {
  readonly _tag: 'StorageFailed'
  readonly key: string
  readonly cause: StorageError
  readonly message: string
}

/** The storage error inside anything thrown: a `StorageError` value, a `StorageFailure`, or a `StorageFailed` (value or error). */
export const asStorageError = (thrown: unknown): StorageError | null => {
  if (typeof thrown !== 'object' || thrown === null) return null
  const value = CkptError.is(thrown) ? thrown.error : thrown
  if (isStorageError(value)) return value
  const failed = value as Partial<StorageFailed>
  return failed._tag === 'StorageFailed' && isStorageError(failed.cause) ? failed.cause : null
}

/** `StorageFailed` for anything a storage call threw, with `doing` ("cannot write checkpoint file …") leading the message. */
export const storageFailed = (key: string, doing: string, thrown: unknown): StorageFailed => {
  const cause = asStorageError(thrown) ?? ioError(key, thrown instanceof Error ? thrown.message : String(thrown), thrown)
  return { _tag: 'StorageFailed', key, cause, message: `${doing}: ${cause.message}` }
}

/** Any thrown value as a `StorageError`: a `StorageFailure` or error value as itself, anything else as an `IOError`. */
export const toStorageError =
  (key: string, what: string) =>
  (thrown: unknown): StorageError => {
    const known = asStorageError(thrown)
    if (known !== null) return known
    const detail = thrown instanceof Error ? thrown.message : String(thrown)
    return ioError(key, `${what} failed for key "${key}": ${detail}`, thrown)
  }

/** Any thrown value as a `StorageFailure`: a `StorageFailure` as itself, anything else through `toStorageError`. */
export const failureOf =
  (key: string, what: string) =>
  (thrown: unknown): StorageFailure =>
    thrown instanceof StorageFailure ? thrown : new StorageFailure(toStorageError(key, what)(thrown))

/** Throws the storage error as a `StorageFailure`: how a Promise driver reports a typed failure. */
export const fail = (error: StorageError): never => {
  throw new StorageFailure(error)
}

/**
 * The right value of a pure check, or its left thrown as a `StorageFailure`: the edge between `Either` helpers
 * (`validateKey`, `validatePrefix`, `checkRange`) and a Promise driver.
 *
 * @example
 * const k = orThrow(validateKey(key)) // throws an InvalidKey StorageFailure for '../x'
 */
export const orThrow = <A>(result: Either<StorageError, A>): A => (result._tag === 'Right' ? result.right : fail(result.left))
