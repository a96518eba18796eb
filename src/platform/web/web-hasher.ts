import type { BlockHasher } from '../../checkpointer/hashing/block-hasher.js'

/**
 * The block size a writer cuts files into for Web Crypto: 512 KiB. `digest` copies its input before it hashes (on
 * another thread); Chromium takes copies up to about 640 KiB from memory it reuses, and larger ones from fresh pages,
 * whose first touch cost more than the hash itself (docs/tfjs.md, "Save speed"). Readers take any block size.
 */
export const WEB_BLOCK_BYTES = 512 * 1024

/** The join every call reuses: it takes a block of Node's (1 MiB) or of this engine's. A larger one is made per call. */
const REUSED_BYTES = 1 << 20

/**
 * A block hasher over Web Crypto's one-shot `crypto.subtle.digest` (browsers, and Node 20's global `crypto`): a
 * block in one piece is hashed as it is; one in several, or on shared memory (a tensor may view a
 * SharedArrayBuffer, which `digest` refuses), is joined first, into one buffer that every call reuses: `digest`
 * takes its copy of the bytes before it returns (Web Crypto, "digest", step 2). No Node built-in: the browser
 * build's.
 */
export const webHasher = (subtle: Pick<typeof globalThis.crypto.subtle, 'digest'> = globalThis.crypto.subtle): BlockHasher => {
  let reused: Uint8Array | undefined
  return {
    blockSize: WEB_BLOCK_BYTES,
    async digest(pieces) {
      let bytes = pieces[0]!
      if (pieces.length !== 1 || !(bytes.buffer instanceof ArrayBuffer)) {
        const length = pieces.reduce((n, p) => n + p.byteLength, 0)
        bytes = length > REUSED_BYTES ? new Uint8Array(length) : (reused ??= new Uint8Array(REUSED_BYTES)).subarray(0, length)
        let at = 0
        for (const p of pieces) {
          bytes.set(p, at)
          at += p.byteLength
        }
      }
      // No await between filling `reused` and this call, which copies it: the next call may fill it again.
      return new Uint8Array(await subtle.digest('SHA-256', bytes))
    },
  }
}
