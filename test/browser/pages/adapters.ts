/** A page with the browser adapters on `globalThis.ckpt`, for tests that drive them from the Node side. */
import { isStorageFailure } from 'ckpt/storage'
import { indexedDbStorage, requestPersistence } from 'ckpt/storage/indexeddb'
import { opfsStorage } from 'ckpt/storage/opfs'

/** `navigator.storage`, typed here: the Node program's types have no DOM. */
interface StorageManager {
  estimate(): Promise<{ readonly usage?: number }>
  persisted(): Promise<boolean>
}
const storageManager = () => (globalThis as unknown as { navigator: { storage: StorageManager } }).navigator.storage

export const adapters = { indexedDbStorage, opfsStorage, requestPersistence, isStorageFailure, storageManager }
export type PageAdapters = typeof adapters

;(globalThis as { ckpt?: PageAdapters }).ckpt = adapters
