/**
 * The one error model of ckpt. The pure core returns typed error values (`{ _tag, message, …fields }`) in
 * `Either`s; every public function that throws or rejects does so with a `CkptError` carrying such a value.
 * The value's fields are repeated on the error itself, so `e._tag === 'NotFound'` and `e.key` work directly.
 */

/** Every typed error value: a unique `_tag`, a readable `message`, and fields naming what was wrong. */
export interface ErrorValue {
  readonly _tag: string
  readonly message: string
}

const BRAND = Symbol.for('ckpt.CkptError')
/** Fields of the value that must not shadow Error's own. */
const RESERVED = new Set(['message', 'name', 'stack', 'cause', 'error', '_tag'])

/**
 * The base class of every error ckpt throws. Subclasses (`StorageFailure`, `CheckpointFailure`,
 * `CkptTfjsError`, `CkptKerasError`, `SafetensorsEncodeError`) only narrow the value's type.
 *
 * @example
 * try { await ckpt.restore() } catch (e) { if (e instanceof CkptError && e._tag === 'NoSuchCheckpoint') … }
 */
export class CkptError<E extends ErrorValue = ErrorValue> extends Error {
  readonly _tag: E['_tag']
  /** The typed value: the same object the pure core returns in a `Left`. */
  readonly error: E

  /** `cause` defaults to the value's own `cause` field (the storage's error inside a `StorageFailed`, say). */
  constructor(error: E, options?: { readonly cause?: unknown }) {
    const cause = options?.cause ?? (error as { readonly cause?: unknown }).cause
    super(error.message, cause !== undefined ? { cause } : undefined)
    for (const [k, v] of Object.entries(error)) if (!RESERVED.has(k)) Object.defineProperty(this, k, { value: v, enumerable: true })
    this._tag = error._tag
    this.error = error
    Object.defineProperty(this, BRAND, { value: true })
    this.name = `${new.target.name}(${error._tag})`
  }

  /** True for a CkptError, also one from another copy of this module (a second bundle, say). */
  static is(u: unknown): u is CkptError {
    return u instanceof CkptError || (typeof u === 'object' && u !== null && (u as Record<symbol, unknown>)[BRAND] === true)
  }
}

/** True for any error ckpt throws. */
export const isCkptError = (u: unknown): u is CkptError => CkptError.is(u)

/** The message of anything thrown, without its stack. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
