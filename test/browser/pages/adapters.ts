/** A page with the browser adapters on `globalThis.ckpt`, for tests that drive them from the Node side. */
import { isStorageFailure } from 'ckpt/storage'
import { indexedDbStorage, requestPersistence } from 'ckpt/storage/indexeddb'
import { opfsStorage } from 'ckpt/storage/opfs'

export const adapters = { indexedDbStorage, opfsStorage, requestPersistence, isStorageFailure }
export type PageAdapters = typeof adapters

;(globalThis as { ckpt?: PageAdapters }).ckpt = adapters
