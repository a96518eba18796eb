import { inflateRawSync } from 'node:zlib'
import type { Inflated } from '../types.js'

/**
 * The data `deflated` inflates to, when it is at most `size` bytes (it may be fewer); `TooLong` as soon as the
 * output passes `size`. One output buffer of `size + 1` bytes at most: zlib writes into it and stops when it
 * is full, so a stream that would inflate to gigabytes costs no more than that.
 */
export const inflateRaw = (deflated: Uint8Array, size: number): Promise<Inflated> => {
  try {
    // chunkSize one past the size: the whole output lands in one buffer (no concatenation copy), and one byte
    // too many fills it, which makes zlib stop and Node throw ERR_BUFFER_TOO_LARGE.
    const out = inflateRawSync(deflated, { chunkSize: Math.max(64, size + 1), maxOutputLength: Math.max(1, size) })
    if (out.length > size) return Promise.resolve({ _tag: 'TooLong' })
    // Node serves small buffers from a shared pool: copy those, so the data owns its ArrayBuffer; view the large one.
    const data = out.length < 1 << 16 ? new Uint8Array(out) : new Uint8Array(out.buffer, out.byteOffset, out.length)
    return Promise.resolve({ _tag: 'Inflated', data })
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return Promise.resolve({ _tag: 'TooLong' })
    return Promise.resolve({ _tag: 'Corrupt', reason: e instanceof Error ? e.message : String(e) })
  }
}
