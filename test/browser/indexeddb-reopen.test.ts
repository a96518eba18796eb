import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// The storage's connection closes itself when another connection deletes (or upgrades) the database.
const browser = await chromiumFor('indexedDbStorage: the database deleted under it')

if (browser !== null) {
  it('indexedDbStorage: after the database is deleted (its connection closed on versionchange), the storage opens it again', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { indexedDbStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const shown = (e: unknown) => (isStorageFailure(e) ? `${e._tag}: ${e.message}` : String(e))
      const storage = indexedDbStorage('deleted')
      await storage.write('old', new Uint8Array([1]))
      // As a "start over" button would: the deletion waits for the storage's connection to close, which it does.
      await new Promise((resolve, reject) => {
        const request = (globalThis as unknown as { indexedDB: IDBFactoryLike }).indexedDB.deleteDatabase('deleted')
        request.onsuccess = () => resolve(undefined)
        request.onerror = () => reject(new Error('deleteDatabase failed'))
      })
      const written = await storage.write('new', new Uint8Array([2])).then(() => 'written', shown)
      return { written, list: await storage.list().catch(shown), stat: await storage.stat('old').catch(shown) }
    })
    expect(outcome).toEqual({ written: 'written', list: ['new'], stat: null })
  })
}

interface IDBFactoryLike {
  deleteDatabase(name: string): { onsuccess: (() => void) | null; onerror: (() => void) | null }
}
