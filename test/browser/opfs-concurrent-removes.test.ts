import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// Removing a key prunes its empty folders; Chromium locks a folder's whole subtree while `removeEntry` tries it.
const browser = await chromiumFor('opfsStorage: removes beside writes')

if (browser !== null) {
  it('opfsStorage: writes and removes of different keys in nested folders never fail each other; empty folders are still pruned', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { opfsStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const storage = opfsStorage('removes')
      const failures: string[] = []
      const noted = (e: unknown) => failures.push(isStorageFailure(e) ? `${e._tag}: ${e.message}` : String(e))
      const churn = async (key: string) => {
        for (let i = 0; i < 60; i++) {
          await storage.write(key, new Uint8Array([i])).catch(noted)
          await storage.remove(key).catch(noted)
        }
      }
      await Promise.all(['x/a', 'x/y/b', 'x/y/z/c'].map(churn))
      // Once quiet, a remove prunes the empty folders again.
      await storage.write('x/y/z/c', new Uint8Array([1]))
      await storage.remove('x/y/z/c')
      const root = await (
        globalThis as unknown as {
          navigator: { storage: { getDirectory(): Promise<{ getDirectoryHandle(n: string): Promise<unknown> }> } }
        }
      ).navigator.storage.getDirectory()
      const folder = (await root.getDirectoryHandle('removes')) as { getDirectoryHandle(n: string): Promise<unknown> }
      const xLeft = await folder.getDirectoryHandle('x').then(
        () => true,
        () => false,
      )
      return { failures: [...new Set(failures)], list: await storage.list(), xLeft }
    })
    expect(outcome).toEqual({ failures: [], list: [], xLeft: false })
  })
}
