import { alreadyExists, fail, preconditionFailed } from '../errors.js'
import type { WriteOptions } from '../storage.js'

/**
 * Throws the conflict a conditional write meets, given the current object's etag (`undefined`: no object): the
 * check the browser adapters run inside their commit (an IndexedDB transaction, a Web Lock), and once before
 * streaming the bytes, to fail early.
 */
export const checkCondition = (key: string, current: string | undefined, options: WriteOptions | undefined): void => {
  if (options?.ifAbsent === true && current !== undefined) fail(alreadyExists(key))
  if (options?.ifMatch !== undefined && current !== options.ifMatch)
    fail(
      preconditionFailed(
        key,
        `ifMatch failed for key "${key}": current etag is ${current === undefined ? 'none (missing)' : `"${current}"`}, expected "${options.ifMatch}"`,
      ),
    )
}
