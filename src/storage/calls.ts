import type { Either } from '#fp-ts/Either.js'
import { checkRange } from './data.js'
import { failureOf, orThrow, type StorageError } from './errors.js'
import { validateKey, validatePrefix, type ParsedPrefix } from './keys.js'
import type { ByteRange } from './storage.js'

/** Runs `f`, reporting anything it throws as a `StorageFailure` for `key` (a typed failure stays as it is). */
export const reported = async <A>(key: string, what: string, f: () => Promise<A>): Promise<A> => {
  try {
    return await f()
  } catch (e) {
    throw failureOf(key, what)(e)
  }
}

/**
 * The frames of a driver's methods when it has opening work: check the arguments (refusing before anything
 * is touched), wait for the memoised `open`, then run the method's body with typed errors.
 */
export const driverCalls = (open: () => Promise<unknown>, check: (key: string) => Either<StorageError, string> = validateKey) => {
  const keyed = async <A>(key: string, what: string, f: (key: string) => Promise<A>): Promise<A> => {
    const k = orThrow(check(key))
    await open()
    return reported(k, what, () => f(k))
  }
  return {
    keyed,
    /** A read of a range: the range is checked first, then the key. */
    ranged: async <A>(
      key: string,
      range: ByteRange | undefined,
      what: string,
      f: (key: string, range: ByteRange | undefined) => Promise<A>,
    ): Promise<A> => {
      const r = orThrow(checkRange(key, range))
      return keyed(key, what, (k) => f(k, r))
    },
    /** A `list`: the prefix is checked, then the storage opened. */
    listed: async <A>(prefix: string | undefined, f: (prefix: ParsedPrefix) => Promise<A>): Promise<A> => {
      const p = orThrow(validatePrefix(prefix))
      await open()
      return reported(p.prefix, 'list', () => f(p))
    },
  }
}
