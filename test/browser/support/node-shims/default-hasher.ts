import type { BlockHasher } from '../../../../src/checkpointer/hashing/block-hasher.js'
import { webHasher } from '../../../../src/checkpointer/hashing/web-hasher.js'

/** Test-only stand-in for `src/checkpointer/hashing/default-hasher.ts` (see README.md): Web Crypto, as a browser build's. */
let shared: BlockHasher | null = null
export const defaultHasher = (): BlockHasher => (shared ??= webHasher())
