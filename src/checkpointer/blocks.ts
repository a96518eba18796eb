/*
 * Block checksums (docs/format.md, "Checksums"): a file of more than one block is checked block by block. Its
 * index record holds the SHA-256 of its block list (the 32-byte SHA-256 of each block, in order), and the list
 * itself is a file of the checkpoint, named by that digest. A read of a byte range hashes only the blocks it
 * touches; a whole read hashes the blocks in parallel. No Node built-in here: browsers share this file.
 */

/** The block size ckpt writes: 1 MiB, small enough that a ranged read reads little more than it needs. */
export const BLOCK_BYTES = 1 << 20

/** Smallest and largest block size an index may record: one block is hashed in one piece. */
export const MIN_BLOCK_BYTES = 4096
export const MAX_BLOCK_BYTES = 64 << 20

/** Bytes of one block's digest in a block list. */
export const DIGEST_BYTES = 32

/** Most blocks one file may have: its block list (read whole, to be checked) is at most 64 MiB. */
export const MAX_BLOCKS = 1 << 21

/** Where block lists are kept: `ckpt-blocks/<64 hex digits>`, the list's own SHA-256. */
export const BLOCK_LIST_PREFIX = 'ckpt-blocks/'

/** How a file of `size` bytes is cut into blocks of `blockSize`: at least one block (an empty file has one, empty). */
export const blockCount = (size: number, blockSize: number): number => Math.max(1, Math.ceil(size / blockSize))

/** The `[start, end)` of block `i` of a file of `size` bytes. */
export const blockRange = (i: number, blockSize: number, size: number): { readonly start: number; readonly end: number } => ({
  start: i * blockSize,
  end: Math.min(size, (i + 1) * blockSize),
})

/** The blocks `[first, last)` that the bytes `[start, end)` touch (none for an empty range), and where they begin and end. */
export const blocksTouched = (
  start: number,
  end: number,
  blockSize: number,
  size: number,
): { readonly first: number; readonly last: number; readonly start: number; readonly end: number } => {
  if (end <= start) return { first: 0, last: 0, start, end: start }
  const first = Math.floor(start / blockSize)
  const last = Math.ceil(end / blockSize)
  return { first, last, start: first * blockSize, end: Math.min(size, last * blockSize) }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case hex of `bytes`. */
export const hex = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += HEX[b]
  return out
}

/** A digest as the index writes it: `sha256:` and 64 hex digits. */
export const sha256Field = (digest: Uint8Array): string => `sha256:${hex(digest)}`

/** Whether `key` is a block list's (ckpt's own checksum file, not one a serializer wrote). */
export const isBlockListKey = (key: string): boolean => key.startsWith(BLOCK_LIST_PREFIX)

/** A checkpoint's own files, as its serializer wrote them: an entry's files without the block lists it records. */
export const checkpointFiles = <F extends { readonly key: string }>(files: ReadonlyArray<F>): ReadonlyArray<F> =>
  files.filter((f) => !isBlockListKey(f.key))

/** The key of the block list whose SHA-256 is `field` (`sha256:<hex>`). */
export const blockListKey = (field: string): string => `${BLOCK_LIST_PREFIX}${field.slice('sha256:'.length)}`

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
