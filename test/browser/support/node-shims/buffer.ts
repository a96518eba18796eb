/**
 * A test-only `Buffer` (see README.md): the `buffer` package (in node_modules as a dependency of the dev tools), which
 * has what the checkpointer's index code uses (views, `toString(encoding, start, end)`, `allocUnsafe`), and Node's `isUtf8`.
 */
import { Buffer as PackageBuffer, kMaxLength } from 'buffer'

export const Buffer = PackageBuffer

export const constants = { MAX_LENGTH: kMaxLength }

const strict = new TextDecoder('utf-8', { fatal: true })
/** Node's `isUtf8`: whether the bytes are valid UTF-8. */
export const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes)
    return true
  } catch {
    return false
  }
}
