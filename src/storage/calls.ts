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

/** The opening work of a driver: `connect` writes nothing and every call waits for it; `open` is the writer's. */
export interface Opening {
  /** What every call needs (e.g. an SDK client), writing nothing; memoised. */
  readonly connect: () => Promise<unknown>
  /** What a write needs beyond it (e.g. a capability probe, which may write), memoised; runs `connect` itself. */
  readonly open: () => Promise<unknown>
}

/** How a driver turns what its body threw into a `StorageFailure` (`reported`, or an adapter's own mapping). */
export type Reporter = <A>(key: string, what: string, f: () => Promise<A>) => Promise<A>

/**
 * The frames of a driver's methods when it has opening work: check the arguments (refusing before anything
 * is touched), wait for the opening the method needs, then run the method's body with typed errors. Only
 * `written` (for `write`) waits for the writer's `open`: reads, `list`, `stat` and `remove` never probe.
 */
export const driverCalls = (
  opening: Opening,
  check: (key: string) => Either<StorageError, string> = validateKey,
  report: Reporter = reported,
) => {
  const framed =
    (ready: () => Promise<unknown>) =>
    async <A>(key: string, what: string, f: (key: string) => Promise<A>): Promise<A> => {
      const k = orThrow(check(key))
      await ready()
      return report(k, what, () => f(k))
    }
  const keyed = framed(opening.connect)
  return {
    keyed,
    /** A write: the key is checked, then the writer's opening runs (once). */
    written: framed(opening.open),
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
    /** A `list`: the prefix is checked, then the storage connected. */
    listed: async <A>(prefix: string | undefined, f: (prefix: ParsedPrefix) => Promise<A>): Promise<A> => {
      const p = orThrow(validatePrefix(prefix))
      await opening.connect()
      return report(p.prefix, 'list', () => f(p))
    },
  }
}
