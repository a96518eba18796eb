import { StorageFailure, failureOf, quotaExceeded } from '../errors.js'

/** The DOMException name a browser's storage throws when the origin's quota is used up. */
const isQuotaError = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError'

/**
 * Anything a browser storage call threw as a `StorageFailure`: the quota error as `QuotaExceeded` (naming the key,
 * the size asked for and what to do), a typed failure as itself, anything else as an `IOError`.
 */
export const browserFailure =
  (key: string, what: string, adapter: string) =>
  (thrown: unknown): StorageFailure =>
    isQuotaError(thrown)
      ? new StorageFailure(
          quotaExceeded(
            key,
            `${adapter} ${what} of key "${key}" failed: the browser's storage quota for this origin is used up ` +
              `(${(thrown as Error).message}); what was stored before is intact. Free space (remove old checkpoints, ` +
              `lower the retention) or ask for more with navigator.storage.persist()`,
            thrown,
          ),
        )
      : failureOf(key, `${adapter} ${what}`)(thrown)

/** Runs `f`, reporting anything it throws through {@link browserFailure}. */
export const reportedIn =
  (adapter: string) =>
  async <A>(key: string, what: string, f: () => Promise<A>): Promise<A> => {
    try {
      return await f()
    } catch (e) {
      throw browserFailure(key, what, adapter)(e)
    }
  }
