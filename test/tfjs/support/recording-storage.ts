import type { Storage } from '../../../src/storage/storage.js'

/**
 * A storage over `inner` that records every read (ranged reads and stream chunks), and hands out each read's bytes in
 * a buffer of their own.
 */
export const recording = (inner: Storage) => {
  const buffers = new WeakSet<ArrayBufferLike>()
  const reads: Array<{ key: string; bytes: number; via: 'read' | 'stream' }> = []
  const storage: Storage = {
    ...inner,
    name: inner.name,
    capabilities: inner.capabilities,
    readInto: undefined, // every range through `read`, so that its buffer is seen here
    read: async (key, range) => {
      const own = new Uint8Array(await inner.read(key, range))
      buffers.add(own.buffer)
      reads.push({ key, bytes: own.byteLength, via: 'read' })
      return own
    },
    readStream: async (key, range) => {
      const chunks = await inner.readStream(key, range)
      return (async function* () {
        for await (const c of chunks) {
          reads.push({ key, bytes: c.byteLength, via: 'stream' })
          yield c
        }
      })()
    },
  }
  return { storage, buffers, reads }
}
