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

/** The raw IndexedDB calls {@link idbRecords} makes, typed here for the same reason. */
interface RawRequest<T> {
  readonly result: T
  readonly error: unknown
  onsuccess: (() => void) | null
  onerror: (() => void) | null
}
interface RawDatabase {
  transaction(
    stores: string[],
    mode: 'readonly',
  ): {
    objectStore(name: string): { getAllKeys(): RawRequest<unknown[]> }
    oncomplete: (() => void) | null
    onerror: (() => void) | null
    readonly error: unknown
  }
  close(): void
}

/**
 * What an indexedDbStorage's database `name` holds besides its objects' records: how many versions have chunks
 * (chunk keys are `[version, index]`) and how many writes are pending, read with the raw API, not through ckpt.
 */
const idbRecords = (name: string): Promise<{ chunkVersions: number; pending: number }> =>
  new Promise((resolve, reject) => {
    const opened = (globalThis as unknown as { indexedDB: { open(name: string): RawRequest<RawDatabase> } }).indexedDB.open(name)
    const failed = (cause: unknown) => reject(new Error(`indexedDB ${name}: ${String(cause)}`))
    opened.onerror = () => failed(opened.error)
    opened.onsuccess = () => {
      const tx = opened.result.transaction(['chunks', 'pending'], 'readonly')
      const chunks = tx.objectStore('chunks').getAllKeys()
      const pending = tx.objectStore('pending').getAllKeys()
      tx.onerror = () => failed(tx.error)
      tx.oncomplete = () => {
        opened.result.close()
        resolve({ chunkVersions: new Set((chunks.result as [string, number][]).map(([v]) => v)).size, pending: pending.result.length })
      }
    }
  })

export const adapters = { indexedDbStorage, opfsStorage, requestPersistence, isStorageFailure, storageManager, idbRecords }
export type PageAdapters = typeof adapters

;(globalThis as { ckpt?: PageAdapters }).ckpt = adapters
