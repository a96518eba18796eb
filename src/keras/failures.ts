import { CkptError, messageOf } from '../errors/ckpt-error.js'
import { storageFailed } from '../storage/errors.js'
import { CkptKerasError, type KerasFormatError } from './errors.js'

/*
 * Throwing Keras errors, for the code that reads and writes the Keras files (loaded lazily in a browser bundle);
 * the error values and class are in errors.ts.
 */

/** Throws `error` wrapped in a `CkptKerasError`. */
export const raise = (error: KerasFormatError, cause?: unknown): never => {
  throw new CkptKerasError(error, cause !== undefined ? { cause } : undefined)
}

/** The right value, or throws the left one as a `CkptKerasError`. */
export const orThrow = <A>(
  e: { readonly _tag: 'Left'; readonly left: KerasFormatError } | { readonly _tag: 'Right'; readonly right: A },
): A => (e._tag === 'Left' ? raise(e.left) : e.right)

/** Runs a storage call; a rejection becomes a `StorageFailed` naming the key and what was being done. */
export const storageStep = async <A>(key: string, doing: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (e) {
    if (e instanceof CkptKerasError) throw e
    const failed = storageFailed(key, `ckpt/keras: ${doing} '${key}' failed`, e)
    return raise(failed, failed.cause)
  }
}

/**
 * Runs one public Keras operation so that it rejects only with a `CkptError`: a `CkptError` passes as it is,
 * anything else (the framework's model threw while ckpt read or built it) becomes `ModelFailed` naming `path`.
 */
export const kerasCall = async <A>(path: string, run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (e) {
    if (CkptError.is(e)) throw e
    return raise({ _tag: 'ModelFailed', path, message: `ckpt/keras: '${path}': the model failed: ${messageOf(e)}` }, e)
  }
}
