import { createHash } from 'node:crypto'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { WriteData } from '../storage/storage.js'

export interface Digest {
  readonly size: number
  /** `sha256:` followed by 64 hex digits. */
  readonly sha256: string
}

const toAsync = async function* (data: WriteData): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) yield data
  else yield* data as AsyncIterable<Uint8Array>
}

/** Hashing proceeds in slices this big, one per event-loop turn, so that it never holds up the writes' I/O callbacks. */
const SLICE = 1 << 20

/**
 * Wraps chunks on their way to storage and hashes them. Hashing runs on this thread in 1 MiB slices, one per
 * event-loop turn, after each chunk is handed on: the storage's writes and fsync run in libuv's pool meanwhile,
 * and a slice never delays the next write by more than a fraction of a millisecond.
 * The chunks must not change until `digest()` resolves.
 */
export const hashingStream = (data: WriteData): { readonly data: AsyncIterable<Uint8Array>; digest(): Promise<Digest> } => {
  const hash = createHash('sha256')
  let size = 0
  let pending: Promise<void> = Promise.resolve()
  const data2 = (async function* () {
    for await (const chunk of toAsync(data)) {
      size += chunk.byteLength
      for (let at = 0; at < chunk.byteLength; at += SLICE) {
        const slice = chunk.subarray(at, Math.min(at + SLICE, chunk.byteLength))
        pending = pending.then(() => nextTurn()).then(() => void hash.update(slice))
      }
      if (chunk.byteLength === 0) pending = pending.then(() => void hash.update(chunk))
      yield chunk
    }
  })()
  return {
    data: data2,
    digest: async () => {
      await pending
      return { size, sha256: `sha256:${hash.digest('hex')}` }
    },
  }
}

export const digestOf = (bytes: Uint8Array): Digest => ({
  size: bytes.byteLength,
  sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
})
