import type { BlockHasher } from '../../checkpointer/hashing/block-hasher.js'

/**
 * A block hasher over Web Crypto's one-shot `crypto.subtle.digest` (browsers, and Node 20's global `crypto`): a
 * block in one piece is hashed as it is, one in several is joined first, and so is one on shared memory (a tensor
 * may view a SharedArrayBuffer, which `digest` refuses). No Node built-in: the browser build's.
 */
export const webHasher = (subtle: Pick<typeof globalThis.crypto.subtle, 'digest'> = globalThis.crypto.subtle): BlockHasher => ({
  async digest(pieces) {
    let bytes: Uint8Array
    if (pieces.length === 1 && pieces[0]!.buffer instanceof ArrayBuffer) bytes = pieces[0]!
    else {
      bytes = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0))
      let at = 0
      for (const p of pieces) {
        bytes.set(p, at)
        at += p.byteLength
      }
    }
    return new Uint8Array(await subtle.digest('SHA-256', bytes))
  },
})
