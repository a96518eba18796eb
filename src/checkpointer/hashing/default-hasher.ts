import { nodeHasher } from './node-hasher.js'
import type { BlockHasher } from './block-hasher.js'

/**
 * The block hasher the checkpointer uses: the one place that picks the platform's engine (a browser build
 * replaces this module with one that returns `webHasher()`). Made at first use and shared by the process.
 */
let shared: BlockHasher | null = null
export const defaultHasher = (): BlockHasher => (shared ??= nodeHasher())
