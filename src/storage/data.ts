import * as E from '#fp-ts/Either.js'
import { MAX_BUFFER_BYTES, allocUnsafe } from '#platform/bytes.js'
import { StorageFailure, fail, unsupported, type StorageError } from './errors.js'
import type { ByteRange, WriteData } from './storage.js'

const isChunk = (u: unknown): u is Uint8Array => u instanceof Uint8Array

/** A description of `u` for error messages. */
const describe = (u: unknown): string => (u === null ? 'null' : typeof u === 'object' ? (u.constructor?.name ?? 'object') : typeof u)

/**
 * The chunks of `data`, one at a time, never concatenated. A chunk that is not a `Uint8Array` ends the
 * iteration with an `Unsupported` `StorageFailure` naming the key and what was given.
 */
export async function* chunksOf(key: string, data: WriteData): AsyncGenerator<Uint8Array, void, undefined> {
  if (isChunk(data)) {
    yield data
    return
  }
  const iterable = data as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null
  if (
    iterable === null ||
    typeof iterable !== 'object' ||
    (typeof iterable[Symbol.asyncIterator] !== 'function' && typeof iterable[Symbol.iterator] !== 'function')
  ) {
    throw new StorageFailure(
      unsupported(
        key,
        `write data for key "${key}" is a ${describe(data)}; expected a Uint8Array or an (async) iterable of Uint8Array chunks`,
      ),
    )
  }
  let index = 0
  for await (const chunk of data as AsyncIterable<unknown>) {
    if (!isChunk(chunk)) {
      throw new StorageFailure(
        unsupported(key, `write data for key "${key}": chunk ${index} is a ${describe(chunk)}; expected Uint8Array chunks`),
      )
    }
    index++
    if (chunk.byteLength > 0) yield chunk
  }
}

/**
 * Joins chunks into one buffer (for `read`, which returns the whole object). The buffer is not zero-filled first
 * (that doubled the cost of joining an 8 MiB S3 part here); bytes past the chunks, if `total` says more, are zeroed.
 */
export const concatChunks = (chunks: ReadonlyArray<Uint8Array>, total = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array => {
  if (chunks.length === 1 && chunks[0]!.byteLength === total) return chunks[0]!
  const out = allocate(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return at < total ? out.fill(0, at) : out
}

/** Reads an async iterable of chunks to the end and joins them. */
export const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return concatChunks(parts)
}

/** The size of the buffers {@link collectParts} fills by default: no buffer larger than about 1 GiB. */
export const PART_BYTES = 2 ** 30

/**
 * Reads `chunks`, `size` bytes in all, into ArrayBuffers of `partBytes` each (the last one shorter), in order: a
 * stream of any size held without one buffer larger than `partBytes`. More than `size` bytes is a RangeError.
 */
export const collectParts = async (chunks: AsyncIterable<Uint8Array>, size: number, partBytes = PART_BYTES): Promise<ArrayBuffer[]> => {
  const parts: ArrayBuffer[] = []
  let part: Uint8Array = new Uint8Array(0)
  let at = 0
  let total = 0
  for await (const chunk of chunks) {
    for (let used = 0; used < chunk.byteLength;) {
      if (at === part.byteLength) {
        if (total >= size) throw new RangeError(`collectParts: the stream holds more than the ${size} bytes expected`)
        part = allocate(Math.min(partBytes, size - total))
        parts.push(part.buffer as ArrayBuffer) // `allocate` gives a plain ArrayBuffer of exactly this size
        at = 0
      }
      const n = Math.min(chunk.byteLength - used, part.byteLength - at)
      part.set(chunk.subarray(used, used + n), at)
      at += n
      used += n
      total += n
    }
  }
  return parts
}

/**
 * Checks a read range: integers with `0 <= start <= end`. `end` past the object's end is clamped by the
 * adapters; a `start` at or past the end reads zero bytes.
 */
export const checkRange = (key: string, range: ByteRange | undefined): E.Either<StorageError, ByteRange | undefined> => {
  if (range === undefined) return E.right(undefined)
  const { start, end } = range ?? ({} as Partial<ByteRange>)
  const ok = Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start
  return ok
    ? E.right({ start: start, end: end })
    : E.left(
        unsupported(
          key,
          `invalid read range ${JSON.stringify(range)} for key "${key}": expected integers { start, end } with 0 <= start <= end (end exclusive)`,
        ),
      )
}

/** Clamps a range to an object of `size` bytes: the byte offsets actually read. */
export const clampRange = (range: ByteRange | undefined, size: number): ByteRange => {
  if (range === undefined) return { start: 0, end: size }
  const start = Math.min(range.start, size)
  return { start, end: Math.max(start, Math.min(range.end, size)) }
}

/**
 * The most bytes one read or write call of an adapter moves. Node 20 aborts on a single file read over 2 GiB, and
 * a bounded call keeps every buffer handed to the OS (and every wait) bounded too.
 */
export const IO_CALL_BYTES = 64 * 1024 * 1024

/** The largest buffer `read` returns: Node's Buffer limit (4 GiB on 64-bit Node 20, the longest Uint8Array); 4 GiB elsewhere. */
export const MAX_READ_BYTES: number = MAX_BUFFER_BYTES

/** Refuses, as `Unsupported` pointing to `readStream` and ranged reads, a whole read of more than {@link MAX_READ_BYTES}. */
export const checkReadSize = (key: string, n: number): void => {
  if (n > MAX_READ_BYTES)
    fail(
      unsupported(
        key,
        `key "${key}": ${n} bytes do not fit one buffer (at most ${MAX_READ_BYTES} bytes in this runtime); read it with readStream, or in ranges of at most that size`,
      ),
    )
}

/**
 * A plain Uint8Array for `n` bytes about to be overwritten: not zero-filled, with its own ArrayBuffer at offset 0
 * (never a slice of Node's shared pool), so `bytes.buffer` is safe to view as typed arrays. See `checkReadSize`.
 */
export const allocate = (n: number, key = ''): Uint8Array => {
  checkReadSize(key, n)
  return allocUnsafe(n)
}

/** `chunk` as views of at most `max` bytes each (no copy). */
export function* slices(chunk: Uint8Array, max: number): Generator<Uint8Array, void, undefined> {
  if (chunk.byteLength <= max) yield chunk
  else for (let at = 0; at < chunk.byteLength; at += max) yield chunk.subarray(at, Math.min(at + max, chunk.byteLength))
}
