import { indexedDbDriver } from './indexeddb/driver.js'
import { StorageFailure, unsupported } from './errors.js'
import { fromDriver, type Storage } from './storage.js'

export { requestPersistence } from './browser/persistence.js'

export interface IndexedDbStorageOptions {
  /** Bytes per chunk record: reads of a range and `readStream` load only the chunks they touch. Default 1 MiB. */
  readonly chunkBytes?: number
  /**
   * At the first write, remove the chunks of writes that were not touched for this long and never committed
   * (a tab closed in the middle of a write). Default 3_600_000 (1 hour).
   */
  readonly staleWriteAfterMs?: number
}

/**
 * Objects in the browser's IndexedDB, in the database `name` (created at first use): conditional writes done in
 * one transaction, large objects in chunks, `list` in UTF-8 byte order. Needs a secure context (https, or http on
 * 127.0.0.1/localhost).
 *
 * @example
 * const storage = indexedDbStorage('my-training-run')
 * await storage.write('a.bin', new Uint8Array([1, 2, 3]))
 */
export const indexedDbStorage = (name: string, options: IndexedDbStorageOptions = {}): Storage => {
  const chunkBytes = options.chunkBytes ?? 1024 * 1024
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1)
    throw new StorageFailure(
      unsupported('', `indexedDbStorage: chunkBytes is ${chunkBytes}; expected a positive integer (default 1048576)`),
    )
  return fromDriver(indexedDbDriver({ name, chunkBytes, staleWriteAfterMs: options.staleWriteAfterMs ?? 3_600_000 }))
}
