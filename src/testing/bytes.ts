/** Test data helpers: the same bytes given to `write` in different chunkings. */

/** `bytes` split into chunks of the given sizes (the last one takes the rest). */
export function* inChunks(bytes: Uint8Array, sizes: ReadonlyArray<number>): Generator<Uint8Array> {
  let at = 0
  for (const size of sizes) {
    if (at >= bytes.byteLength) break
    yield bytes.subarray(at, at + size)
    at += size
  }
  if (at < bytes.byteLength) yield bytes.subarray(at)
}

/** The chunks as an async iterable that yields to the event loop before each one, as a network source would. */
export async function* asyncChunks(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r))
    yield c
  }
}
