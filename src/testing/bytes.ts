/** Test data helpers: the same bytes given to `write` in different chunkings; random bytes; byte equality. No Node built-in. */
import { nextTurn } from '#platform/next-turn.js'

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
    await nextTurn()
    yield c
  }
}

/** `n` random bytes (Web Crypto, 64 KiB a call: its limit). */
export const randomBytes = (n: number): Uint8Array => {
  const out = new Uint8Array(n)
  for (let at = 0; at < n; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(at + 65536, n)))
  return out
}

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
