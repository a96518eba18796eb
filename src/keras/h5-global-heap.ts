import { indexOfBytes } from '#platform/bytes.js'
/**
 * A check HDF5 lacks: a global heap collection (where variable-length strings, such as Keras's `name`
 * attributes, live) whose object list does not tile it exactly. HDF5 2.0 loops forever on a zero-length entry
 * in that list (one flipped byte of a collection's size makes one), inside a single h5wasm call that nothing
 * can interrupt. So every collection HDF5 could load, that is every `GCOL` signature in the file, is walked
 * here first, as HDF5 walks it (HDF5 file format spec, "Global Heap"; HDF5's `H5HG__cache_heap_deserialize`).
 */

const SIGNATURE = new TextEncoder().encode('GCOL')
/** HDF5's smallest collection; it refuses smaller ones before walking them. */
const MIN_SIZE = 4096
/** HDF5 in WebAssembly keeps object sizes in 32 bits. */
const SIZE_T = 2 ** 32

/** The little-endian unsigned integer of `size` bytes at `at`, modulo 2^32 (as a 32-bit `size_t` holds it). */
const readSize = (bytes: Uint8Array, at: number, size: number): number => {
  let v = 0
  for (let i = Math.min(size, 4) - 1; i >= 0; i--) v = v * 256 + (bytes[at + i] ?? 0)
  return v
}

/** True when a length field has bits above 32 (HDF5 in WebAssembly drops them). */
const overflows = (bytes: Uint8Array, at: number, size: number): boolean => {
  for (let i = 4; i < size; i++) if ((bytes[at + i] ?? 0) !== 0) return true
  return false
}

/**
 * The first global heap collection in `bytes` whose objects do not tile it (a zero-length entry, or one that
 * runs past its end), described; null when there is none. `sizeOfLengths` is the superblock's.
 */
export const globalHeapProblem = (bytes: Uint8Array, sizeOfLengths: number): string | null => {
  const header = 8 + sizeOfLengths // signature, version, 3 reserved bytes, collection size
  const objectHeader = 8 + sizeOfLengths // index, reference count, 4 reserved bytes, object size
  for (let at = indexOfBytes(bytes, SIGNATURE); at >= 0; at = indexOfBytes(bytes, SIGNATURE, at + 1)) {
    if (bytes[at + 4] !== 1) continue
    if (overflows(bytes, at + 8, sizeOfLengths)) continue // HDF5 cannot read it in: an error, not a loop
    const size = readSize(bytes, at + 8, sizeOfLengths)
    if (size < MIN_SIZE || at + size > bytes.length) continue // refused or unreadable by HDF5 itself
    let p = header
    while (p < size) {
      if (p + objectHeader > size) break // the free space at the end
      const index = readSize(bytes, at + p, 2)
      const length = readSize(bytes, at + p + 8, sizeOfLengths)
      const need = index > 0 ? (objectHeader + Math.ceil(length / 8) * 8) % SIZE_T : length
      if (need === 0 || p + need > size || (index > 0 && overflows(bytes, at + p + 8, sizeOfLengths)))
        return `the global heap collection at byte ${at} is corrupt: its entry at byte ${at + p} ${need === 0 ? 'has length 0' : 'runs past the collection'}`
      p += need
    }
  }
  return null
}
