import { fail } from '../errors.js'
import { invalidArchive } from './archive-errors.js'

/*
 * Where an import reads an archive from: a file picker's File (a Blob), a `fetch` Response, a web ReadableStream, a
 * Node stream or any async iterable of bytes, or the bytes themselves. Typed by shape, not by the DOM's classes, so
 * that this builds without the DOM's types and takes objects from any realm (an iframe, a worker, undici).
 */

/** What ckpt uses of a web ReadableStream of bytes. */
export interface ByteStreamLike {
  getReader(): {
    read(): Promise<{ readonly done: boolean; readonly value?: unknown }>
    cancel(reason?: unknown): Promise<void>
    releaseLock(): void
  }
}

/** What ckpt uses of a Blob or File. */
export interface BlobLike {
  stream(): ByteStreamLike
}

/** What ckpt uses of a `fetch` Response. */
export interface ResponseLike {
  readonly ok: boolean
  readonly status: number
  readonly statusText: string
  readonly body: ByteStreamLike | null
}

/** An archive to import: a Blob/File, a Response, a ReadableStream, an (async) iterable of chunks, or the bytes. */
export type ArchiveSource = Uint8Array | BlobLike | ResponseLike | ByteStreamLike | AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/** A web stream's chunks; leaving early cancels the stream. */
async function* readerChunks(stream: ByteStreamLike): AsyncGenerator<unknown, void, undefined> {
  const reader = stream.getReader()
  let done = false
  try {
    for (;;) {
      const r = await reader.read()
      if (r.done) {
        done = true
        return
      }
      yield r.value
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

const has = (u: object, method: string): boolean => typeof (u as Record<string, unknown>)[method] === 'function'

/** The chunks of `source`, each checked to be bytes by the reader. */
export const archiveChunks = (source: ArchiveSource): AsyncIterable<unknown> | Iterable<unknown> => {
  const accepted = 'a Blob or File, a Response, a ReadableStream, an async iterable of Uint8Array chunks, or a Uint8Array'
  if (source instanceof Uint8Array) return [source]
  if (typeof source !== 'object' || source === null) return fail(invalidArchive('source', String(source), accepted, 0))
  if (Symbol.asyncIterator in source) return source
  if (has(source, 'getReader')) return readerChunks(source as ByteStreamLike)
  if ('ok' in source && 'body' in source) {
    const response = source
    if (!response.ok)
      return fail(
        invalidArchive('response status', `${response.status} ${response.statusText}`.trim(), 'a successful response (200-299)', 0),
      )
    if (response.body === null) return fail(invalidArchive('response body', 'null', 'a response with a body', 0))
    return readerChunks(response.body)
  }
  if (has(source, 'stream')) return readerChunks((source as BlobLike).stream())
  if (Symbol.iterator in source) return source
  return fail(invalidArchive('source', Object.prototype.toString.call(source), accepted, 0))
}

/** The source's length in bytes when it is known before reading (bytes, a Blob or File), else null. */
export const knownLength = (source: ArchiveSource): number | null => {
  if (source instanceof Uint8Array) return source.byteLength
  const size = typeof source === 'object' && source !== null && has(source, 'stream') ? (source as { size?: unknown }).size : undefined
  return typeof size === 'number' && Number.isSafeInteger(size) ? size : null
}
