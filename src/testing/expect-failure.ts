import { StorageFailure, type StorageErrorTag } from '../storage/errors.js'

/**
 * Awaits `p`, expecting it to reject with a `StorageFailure` whose `_tag` (and its `.error`'s) is `tag`;
 * returns it. Throws a plain `Error` otherwise, so it works under any test runner.
 *
 * @example
 * const f = await expectFailure(storage.read('missing'), 'NotFound')
 */
export const expectFailure = async (p: Promise<unknown>, tag: StorageErrorTag): Promise<StorageFailure> => {
  const outcome = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (outcome.ok) throw new Error(`expected a ${tag} failure, got success: ${JSON.stringify(outcome.value)?.slice(0, 200)}`)
  if (!(outcome.error instanceof StorageFailure))
    throw new Error(`expected a StorageFailure (${tag}), got: ${String(outcome.error)}`, { cause: outcome.error })
  const failure = outcome.error
  if (failure._tag !== tag) throw new Error(`expected a ${tag} failure, got ${failure._tag}: ${failure.message}`, { cause: failure })
  if (failure.error._tag !== tag)
    throw new Error(`expected the failure's .error to be a ${tag}, got ${failure.error._tag}`, { cause: failure })
  return failure
}
