/** A pull source of chunks that keeps one read in flight ahead of its consumer. */
export interface ReadAhead {
  /** The next chunk, or null at the end. Rejects with what the source rejected with. */
  next(): Promise<Uint8Array | null>
  /** Lets go of the source (an open file, a response body); later `next` calls give null. */
  close(): Promise<void>
}

/**
 * Reads `source` one chunk ahead: the next chunk is asked for before the current one is handed on, so the storage's
 * I/O (libuv's pool, the network) runs while this thread hashes or copies the current chunk. Each chunk must be
 * a buffer of its own (as every ckpt storage's `readStream` gives), since the read ahead does not wait for it.
 */
export const readAhead = (source: AsyncIterable<Uint8Array>): ReadAhead => {
  const iterator = source[Symbol.asyncIterator]()
  const ask = (): Promise<IteratorResult<Uint8Array>> => {
    const p = iterator.next()
    p.catch(() => undefined) // observed by `next`; a read ahead nobody asks for must not be an unhandled rejection
    return p
  }
  let pending: Promise<IteratorResult<Uint8Array>> | null = ask()
  return {
    async next() {
      if (pending === null) return null
      const r = await pending
      if (r.done === true) {
        pending = null
        return null
      }
      pending = ask()
      return r.value
    },
    async close() {
      pending = null
      await iterator.return?.()?.catch(() => undefined)
    },
  }
}
