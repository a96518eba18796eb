/**
 * The HDF5 superblock at offset 0, read far enough to refuse a file that is not HDF5 or is cut short before
 * HDF5 sees it: HDF5 reports a truncated file only as a stack of errors, ckpt says how many bytes are missing.
 */

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

/** True when `bytes` start with the HDF5 signature. */
export const hasH5Signature = (bytes: Uint8Array): boolean => bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b)

/** Where the end-of-file address is, by superblock version (HDF5 file format spec, "Superblock"). */
const eofOffset = (version: number, sizeOfOffsets: number): number | null =>
  version === 0 ? 24 + 2 * sizeOfOffsets : version === 1 ? 28 + 2 * sizeOfOffsets : version <= 3 ? 12 + 2 * sizeOfOffsets : null

const readAddress = (bytes: Uint8Array, at: number, size: number): bigint => {
  let v = 0n
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i] ?? 0)
  return v
}

/** The superblock's size of lengths (in bytes), for a superblock {@link superblockProblem} accepted. */
export const sizeOfLengths = (bytes: Uint8Array): number => bytes[(bytes[8] ?? 0) <= 1 ? 14 : 10] ?? 8

/**
 * What is wrong with the signature and superblock at the start of a file of `fileLength` bytes whose first bytes
 * are `bytes` (the whole file, or at least its superblock): no signature, an unknown superblock version, or a
 * file shorter than the end-of-file address its superblock records. Null when HDF5 may open it.
 */
export const superblockProblem = (bytes: Uint8Array, fileLength: number = bytes.length): string | null => {
  if (!hasH5Signature(bytes)) return 'no HDF5 signature at offset 0'
  if (bytes.length < 16) return `the file is truncated: it ends inside the HDF5 superblock, after ${bytes.length} bytes`
  const version = bytes[8] ?? 0
  const sizeOfOffsets = bytes[version <= 1 ? 13 : 9] ?? 0
  if (![2, 4, 8].includes(sizeOfOffsets)) return `the HDF5 superblock gives ${sizeOfOffsets}-byte addresses; HDF5 uses 2, 4 or 8`
  if (![2, 4, 8].includes(sizeOfLengths(bytes)))
    return `the HDF5 superblock gives ${sizeOfLengths(bytes)}-byte lengths; HDF5 uses 2, 4 or 8`
  const at = eofOffset(version, sizeOfOffsets)
  if (at === null) return `the HDF5 superblock has version ${version}; HDF5 writes versions 0 to 3`
  if (bytes.length < at + sizeOfOffsets) return `the file is truncated: it ends inside the HDF5 superblock, after ${bytes.length} bytes`
  const eof = readAddress(bytes, at, sizeOfOffsets)
  if (eof === (1n << BigInt(8 * sizeOfOffsets)) - 1n) return 'the HDF5 superblock has no end-of-file address (it is undefined)'
  if (eof > BigInt(fileLength))
    return `the file is truncated: it has ${fileLength} bytes, and its HDF5 superblock says it ends at byte ${eof}`
  return null
}
