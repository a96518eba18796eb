import type { Inflated } from '../types.js'

/**
 * The data `deflated` inflates to, when it is at most `size` bytes (it may be fewer); `TooLong` as soon as the
 * output passes `size`: the stream is cancelled there, so a stream that would inflate to gigabytes costs no more
 * than `size` bytes. `DecompressionStream('deflate-raw')`, the platform's own inflater.
 */
export const inflateRaw = async (deflated: Uint8Array, size: number): Promise<Inflated> => {
  const out = new Uint8Array(size)
  let filled = 0
  const input = deflated.buffer instanceof ArrayBuffer ? deflated : deflated.slice() // streams refuse shared memory
  const inflater = new DecompressionStream('deflate-raw')
  const writer = inflater.writable.getWriter()
  // Their failures are the reader's too, and reported from there.
  writer.write(input).catch(() => undefined)
  writer.close().catch(() => undefined)
  const reader = inflater.readable.getReader()
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value: Uint8Array }
      if (done) break
      if (filled + value.byteLength > size) {
        void reader.cancel().catch(() => undefined)
        return { _tag: 'TooLong' }
      }
      out.set(value, filled)
      filled += value.byteLength
    }
  } catch (e) {
    return { _tag: 'Corrupt', reason: e instanceof Error ? e.message : String(e) }
  }
  return { _tag: 'Inflated', data: filled === size ? out : out.slice(0, filled) }
}
