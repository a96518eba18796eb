// A Storage around another that records every read (read, readInto, readStream): which key, which bytes were asked
// for, how many came back.
import { createHash } from 'node:crypto'
import type { ByteRange, Storage } from '../../src/storage/storage.js'

export interface ReadCall {
  readonly key: string
  /** The bytes asked for, `end` clamped to what came back. */
  readonly start: number
  readonly end: number
  readonly bytes: number
}

export const readCounting = (inner: Storage): { readonly storage: Storage; readonly calls: ReadCall[]; bytesOf(key: string): number } => {
  const calls: ReadCall[] = []
  const storage: Storage = {
    get name() {
      return inner.name
    },
    get capabilities() {
      return inner.capabilities
    },
    open: () => inner.open(),
    close: () => inner.close(),
    write: (key, data, options) => inner.write(key, data, options),
    list: (prefix) => inner.list(prefix),
    remove: (key) => inner.remove(key),
    stat: (key) => inner.stat(key),
    read: async (key, range?: ByteRange) => {
      const bytes = await inner.read(key, range)
      const start = range?.start ?? 0
      calls.push({ key, start, end: start + bytes.byteLength, bytes: bytes.byteLength })
      return bytes
    },
    ...(inner.readInto === undefined
      ? {}
      : {
          readInto: async (key: string, range: ByteRange, target: Uint8Array) => {
            const n = await inner.readInto!(key, range, target)
            calls.push({ key, start: range.start, end: range.start + n, bytes: n })
            return n
          },
        }),
    readStream: async (key, range?: ByteRange) => {
      const chunks = await inner.readStream(key, range)
      const start = range?.start ?? 0
      return (async function* () {
        let at = start
        for await (const c of chunks) {
          calls.push({ key, start: at, end: at + c.byteLength, bytes: c.byteLength })
          at += c.byteLength
          yield c
        }
      })()
    },
  }
  return { storage, calls, bytesOf: (key) => calls.filter((c) => c.key === key).reduce((n, c) => n + c.bytes, 0) }
}

/** The bytes of the blocks of `blockSize` that `ranges` touch, counted once each, in a file of `size` bytes. */
export const touchedBlockBytes = (ranges: ReadonlyArray<ByteRange>, blockSize: number, size: number): number => {
  const blocks = new Set<number>()
  for (const r of ranges) for (let b = Math.floor(r.start / blockSize); b * blockSize < r.end; b++) blocks.add(b)
  let n = 0
  for (const b of blocks) n += Math.min(size, (b + 1) * blockSize) - b * blockSize
  return n
}

/** Whether any read of `key` covered byte `at`. */
export const wasRead = (calls: ReadonlyArray<ReadCall>, key: string, at: number): boolean =>
  calls.some((c) => c.key === key && c.start <= at && at < c.end)

/** Tensor records as comparable values: names, dtypes, shapes and a hex digest of each tensor's bytes (fast for large ones). */
export const tensorsDigest = (
  tensors: Readonly<Record<string, { dtype: string; shape: ReadonlyArray<number>; data: ArrayBufferView }>>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(tensors).map(([n, t]) => [
      n,
      `${t.dtype} [${t.shape.join(',')}] ${t.data.constructor.name} ${createHash('sha256')
        .update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
        .digest('hex')}`,
    ]),
  )
