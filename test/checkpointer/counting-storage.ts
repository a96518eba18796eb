// A Storage over a Map that counts the index's storage calls and the bytes written to its keys: the index's cost,
// deterministic, without the time a real storage takes. Conditional writes as S3 has them (ifAbsent, ifMatch).
import { alreadyExists, fail, notFound, preconditionFailed } from '../../src/storage/errors.js'
import { compareKeys } from '../../src/storage/keys.js'
import { fromDriver, type Storage, type WriteData } from '../../src/storage/storage.js'

const bytesOf = async (data: WriteData): Promise<Uint8Array> => {
  if (data instanceof Uint8Array) return data
  const chunks: Uint8Array[] = []
  for await (const c of data as AsyncIterable<Uint8Array>) chunks.push(c)
  return Buffer.concat(chunks)
}

export interface IndexCost {
  /** Storage calls on the index file and its segments. */
  calls: number
  /** Bytes written to them. */
  bytes: number
}

export const countingStorage = (): { readonly storage: Storage; readonly cost: IndexCost } => {
  const objects = new Map<string, { bytes: Uint8Array; etag: string }>()
  const cost: IndexCost = { calls: 0, bytes: 0 }
  let version = 0
  const count = (key: string | undefined, bytes = 0) => {
    if (key?.startsWith('ckpt-index') !== true) return
    cost.calls++
    cost.bytes += bytes
  }
  const storage = fromDriver({
    name: 'counting',
    capabilities: { ifAbsent: true, ifMatch: true },
    async write(key, data, options) {
      const bytes = await bytesOf(data)
      count(key, bytes.length)
      const current = objects.get(key)
      if (options?.ifAbsent === true && current !== undefined) fail(alreadyExists(key))
      if (options?.ifMatch !== undefined && current?.etag !== options.ifMatch) fail(preconditionFailed(key, `"${key}" changed`))
      const etag = `v${++version}`
      objects.set(key, { bytes, etag })
      return { size: bytes.length, etag }
    },
    async read(key, range) {
      count(key)
      const o = objects.get(key) ?? fail(notFound(key))
      return range === undefined ? o.bytes : o.bytes.subarray(range.start, Math.min(range.end, o.bytes.length))
    },
    async readStream(key, range) {
      const bytes = await this.read(key, range)
      return (async function* () {
        yield bytes
      })()
    },
    async list(prefix = '') {
      count(prefix)
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys)
    },
    async remove(key) {
      count(key)
      objects.delete(key)
    },
    async stat(key) {
      count(key)
      const o = objects.get(key)
      return o === undefined ? null : { size: o.bytes.length, etag: o.etag }
    },
  })
  return { storage, cost }
}
