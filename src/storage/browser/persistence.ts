import { browser } from './dom.js'

/**
 * Asks the browser to keep this origin's storage (IndexedDB and OPFS alike) under storage pressure, instead of
 * evicting it as "best effort" data: `navigator.storage.persist()`. Call it once, ideally after a user gesture
 * (Firefox asks the user; Chromium decides from the site's engagement). Resolves to whether the storage is now
 * persistent: `false` when refused (a rejected request included, as in a sandboxed frame), or when the browser has no
 * StorageManager (an insecure origin).
 *
 * @example
 * if (!(await requestPersistence())) console.warn('checkpoints may be evicted under storage pressure')
 */
export const requestPersistence = async (): Promise<boolean> => {
  const storage = browser().navigator?.storage
  if (storage?.persist === undefined) return false
  try {
    if ((await storage.persisted?.()) === true) return true
    return await storage.persist()
  } catch {
    return false // refused in a way this browser words as an error: the storage is not persistent
  }
}
