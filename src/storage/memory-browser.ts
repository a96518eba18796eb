import { mapDriver } from './map-driver.js'
import { fromDriver, type Storage } from './storage.js'

/** Browser builds take no options: there is no memfs volume to give (see `ckpt/storage/memory` in Node). */
export type MemoryStorageOptions = Record<string, never>

/**
 * Objects in memory, in a browser build (the `browser` condition of `ckpt/storage/memory`): a `Map`, with no
 * memfs and no Node polyfill. The same contract as in Node (atomic writes, `ifAbsent` and `ifMatch`, `list` in
 * UTF-8 byte order, ranges, `readStream`, `readInto`). Nothing survives the page.
 *
 * @example
 * const storage = memoryStorage()
 * await storage.write('a.bin', new Uint8Array([1, 2, 3]))
 */
export const memoryStorage = (_options: MemoryStorageOptions = {}): Storage => fromDriver(mapDriver('memory'))
