import type { BlockHasher } from '../../checkpointer/hashing/block-hasher.js'
import { nodeHasher } from './node-hasher.js'

/** The block hasher the checkpointer uses in Node: worker threads and node:crypto. Made at first use, shared by the process. */
let shared: BlockHasher | null = null
export const defaultHasher = (): BlockHasher => (shared ??= nodeHasher())
