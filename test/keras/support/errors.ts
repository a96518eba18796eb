import { expect } from 'vitest'
import { CkptError } from '../../../src/errors/ckpt-error.js'
import { CkptKerasError, type KerasFormatError } from '../../../src/keras/errors.js'

/**
 * Asserts the one error model on a Keras rejection: a `CkptKerasError` (so a `CkptError`) whose own `_tag`
 * and `.error` match `value`, with the value's fields (`message` aside) repeated on the error.
 */
export const expectKerasError = <T extends KerasFormatError['_tag']>(
  err: unknown,
  value: { readonly _tag: T } & Record<string, unknown>,
): Extract<KerasFormatError, { _tag: T }> => {
  expect(err).toBeInstanceOf(CkptError)
  expect(err).toBeInstanceOf(CkptKerasError)
  const e = err as CkptKerasError
  expect(e._tag).toBe(value._tag)
  expect(e.error).toMatchObject(value)
  const { message: _message, ...fields } = e.error
  expect(e).toMatchObject(fields)
  return e.error as Extract<KerasFormatError, { _tag: T }>
}
