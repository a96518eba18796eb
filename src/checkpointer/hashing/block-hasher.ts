/*
 * The seam between the checkpointer and the platform's SHA-256. The checkpointer asks for the digest of one block
 * at a time, so an engine may hash blocks in parallel (Node: worker threads, see node-hasher.ts; browsers: Web
 * Crypto's one-shot digest, see web-hasher.ts). No Node built-in here.
 */

/** A SHA-256 engine for blocks. */
export interface BlockHasher {
  /**
   * The block size a writer cuts files into with this engine (the index records it per file; a reader takes any):
   * the size the engine hashes best. Node's: 1 MiB, its workers' slot. Web Crypto's: 512 KiB (see web-hasher.ts).
   */
  readonly blockSize: number
  /**
   * The SHA-256 (32 bytes) of the bytes of `pieces`, in order. The pieces must not change until it resolves.
   * Calls may resolve in any order; an engine may run many at once.
   */
  digest(pieces: ReadonlyArray<Uint8Array>): Promise<Uint8Array>
}

/** Joins digests (32 bytes each) into one list. */
const concat = (digests: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(digests.length * 32)
  digests.forEach((d, i) => out.set(d, i * 32))
  return out
}

/**
 * Cuts bytes given in order, in chunks of any size, into blocks of `blockSize`, and hands each block to `hasher` as
 * soon as it is complete (a block inside one chunk as a view of it, no copy). `finish` gives the size and the
 * block list (a file of no bytes has one empty block). With `maxPendingBytes`, `push` resolves only once the bytes
 * given and not yet hashed are under it, so that a reader does not hold more than that in unhashed chunks.
 */
export const blockDigester = (hasher: BlockHasher, blockSize: number, maxPendingBytes = Infinity) => {
  const pending: Promise<Uint8Array>[] = []
  let parts: Uint8Array[] = []
  let filled = 0
  let size = 0
  let unhashed = 0
  let wake: (() => void) | null = null
  const submit = (pieces: Uint8Array[], bytes: number) => {
    unhashed += bytes
    const p = hasher.digest(pieces)
    pending.push(p)
    void p.then(
      () => {
        unhashed -= bytes
        if (wake !== null && unhashed < maxPendingBytes) {
          const w = wake
          wake = null
          w()
        }
      },
      () => undefined, // observed by `finish`
    )
  }
  return {
    push(chunk: Uint8Array): Promise<void> | undefined {
      size += chunk.byteLength
      for (let at = 0; at < chunk.byteLength;) {
        const n = Math.min(chunk.byteLength - at, blockSize - filled)
        parts.push(chunk.subarray(at, at + n))
        filled += n
        at += n
        if (filled === blockSize) {
          submit(parts, filled)
          parts = []
          filled = 0
        }
      }
      if (unhashed < maxPendingBytes) return undefined
      return new Promise<void>((resolve) => (wake = resolve))
    },
    /** The size of the bytes given, and the digest of each block, in order. */
    async finish(): Promise<{ readonly size: number; readonly list: Uint8Array }> {
      if (filled > 0 || pending.length === 0) submit(parts, filled)
      parts = []
      filled = 0
      return { size, list: concat(await Promise.all(pending)) }
    },
  }
}

/** The digests of the blocks formed by `pieces` (their bytes in order, starting on a block boundary), as one list. */
export const digestBlocks = async (hasher: BlockHasher, pieces: ReadonlyArray<Uint8Array>, blockSize: number): Promise<Uint8Array> => {
  const d = blockDigester(hasher, blockSize)
  for (const p of pieces) void d.push(p)
  return (await d.finish()).list
}
