import * as E from '#fp-ts/Either.js'
import { fail, type TfjsAdapterError } from './errors.js'

/**
 * Checkpoint names are the variables' `originalName` (for example `dense1/kernel`), as tfjs's own
 * `model.save` writes them. `variable.name` is not used: tfjs makes it unique per process (`dense1/kernel_1`
 * for a second model built the same way), so it would not match across model objects.
 */
export const uniqueNames = (names: ReadonlyArray<string>): E.Either<TfjsAdapterError, ReadonlyArray<string>> => {
  const seen = new Set<string>()
  for (const n of names) {
    if (seen.has(n))
      return E.left({
        _tag: 'DuplicateWeightName',
        name: n,
        message: `ckpt/tfjs: two model weights are named '${n}'; give the layers distinct names`,
      })
    seen.add(n)
  }
  return E.right(names)
}

export const assertUniqueNames = (names: ReadonlyArray<string>): void => {
  const r = uniqueNames(names)
  if (E.isLeft(r)) fail(r.left)
}
