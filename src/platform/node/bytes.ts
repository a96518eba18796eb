import { Buffer, constants, isUtf8 } from 'node:buffer'

/*
 * Byte helpers whose Node versions are Buffer's native ones (the index is parsed with them, where speed counts);
 * `web/bytes.ts` does the same with Uint8Array and TextDecoder.
 */

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

/** The longest buffer this runtime makes: Node's Buffer limit (4 GiB on 64-bit Node 20). */
export const MAX_BUFFER_BYTES: number = constants.MAX_LENGTH

/** `n` bytes not zero-filled, with their own ArrayBuffer at offset 0 (never a slice of Node's shared pool). */
export const allocUnsafe = (n: number): Uint8Array => new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n)

/** `bytes` as text, or null when they are not valid UTF-8. A byte order mark is kept (as U+FEFF). */
export const utf8OrNull = (bytes: Uint8Array): string | null => (isUtf8(bytes) ? view(bytes).toString('utf8') : null)

/** Where `needle` first occurs in `bytes` at or after `from`, or -1. */
export const indexOfBytes = (bytes: Uint8Array, needle: Uint8Array, from = 0): number => view(bytes).indexOf(needle, from)

/** Where `needle` last occurs in `bytes`, or -1. */
export const lastIndexOfBytes = (bytes: Uint8Array, needle: Uint8Array): number => view(bytes).lastIndexOf(needle)
