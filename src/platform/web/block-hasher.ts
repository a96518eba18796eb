import type { BlockHasher } from '../../checkpointer/hashing/block-hasher.js'
import { webHasher } from './web-hasher.js'

/** The block hasher the checkpointer uses outside Node: Web Crypto. Made at first use, shared by the page or worker. */
let shared: BlockHasher | null = null
export const defaultHasher = (): BlockHasher => (shared ??= webHasher())
