/* Byte helpers on Uint8Array and TextDecoder: what `node/bytes.ts` does with Buffer. */

/** The longest buffer ckpt asks for outside Node: 4 GiB, as in Node 20 (engines may allow less; allocation then throws). */
export const MAX_BUFFER_BYTES: number = 2 ** 32

/** `n` bytes with their own ArrayBuffer at offset 0 (zero-filled: there is no other kind here). */
export const allocUnsafe = (n: number): Uint8Array => new Uint8Array(n)

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** `bytes` as text, or null when they are not valid UTF-8. A byte order mark is kept (as U+FEFF). */
export const utf8OrNull = (bytes: Uint8Array): string | null => {
  try {
    // TextDecoder refuses views of shared memory: decode a copy of those.
    return strict.decode(bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice())
  } catch {
    return null
  }
}

const matchesAt = (bytes: Uint8Array, needle: Uint8Array, at: number): boolean => {
  for (let j = 1; j < needle.length; j++) if (bytes[at + j] !== needle[j]) return false
  return true
}

/** Where `needle` first occurs in `bytes` at or after `from`, or -1. */
export const indexOfBytes = (bytes: Uint8Array, needle: Uint8Array, from = 0): number => {
  if (needle.length === 0) return Math.min(from, bytes.length)
  for (let at = bytes.indexOf(needle[0]!, from); at >= 0 && at + needle.length <= bytes.length; at = bytes.indexOf(needle[0]!, at + 1))
    if (matchesAt(bytes, needle, at)) return at
  return -1
}

/** Where `needle` last occurs in `bytes`, or -1. */
export const lastIndexOfBytes = (bytes: Uint8Array, needle: Uint8Array): number => {
  if (needle.length === 0) return bytes.length
  if (bytes.length < needle.length) return -1
  for (
    let at = bytes.lastIndexOf(needle[0]!, bytes.length - needle.length);
    at >= 0;
    at = at === 0 ? -1 : bytes.lastIndexOf(needle[0]!, at - 1)
  )
    if (matchesAt(bytes, needle, at)) return at
  return -1
}
