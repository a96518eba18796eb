import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// A `remove` prunes the key's folders once empty; a `list` walking one of them meanwhile met a folder that was gone.
const browser = await chromiumFor('opfsStorage: list beside pruning removes')

if (browser !== null) {
  it('opfsStorage: a list never fails while removes prune the empty folders it is walking', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { opfsStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const storage = opfsStorage('list-pruning')
      await storage.write('kept', new Uint8Array([1]))
      const failures: string[] = []
      const wrongLists: string[] = []
      let churning = true
      const churn = async () => {
        try {
          for (let i = 0; i < 100; i++) {
            await storage.write('a/b/c/x', new Uint8Array([i]))
            await storage.remove('a/b/c/x')
          }
        } finally {
          churning = false
        }
      }
      const lister = async () => {
        while (churning) {
          await storage.list().then(
            // Not a snapshot: 'a/b/c/x' may or may not be seen, 'kept' always.
            (keys) => (keys.includes('kept') ? undefined : wrongLists.push(keys.join(','))),
            (e: unknown) => failures.push(isStorageFailure(e) ? `${e._tag}: ${e.message}` : String(e)),
          )
        }
      }
      await Promise.all([churn(), lister(), lister()])
      return { failures: [...new Set(failures)], wrongLists, list: await storage.list() }
    })
    expect(outcome).toEqual({ failures: [], wrongLists: [], list: ['kept'] })
  })
}
