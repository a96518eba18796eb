import { expect, it } from 'vitest'
import type { PageApi } from './pages/export-import.js'
import type { tensorsOf } from './pages/export-import.js'
import { chromiumFor, openTestPage } from './support/session.js'

// A page reloaded mid-training leaves its writer lock in the folder. The page held a Web Lock named after its
// incarnation while it ran; once it is gone, the next page of the profile takes the lock over at once, while a
// live page's lock still refuses a second writer, with a message that speaks of pages.
const browser = await chromiumFor('the writer lock of a reloaded page')
const entry = new URL('./pages/export-import.ts', import.meta.url)

type Page = PageApi & { tensorsOf: typeof tensorsOf }

/** In the page: one save on IndexedDB `run` (the writer lock taken first); its outcome and the log. */
const saveOnce = async (epoch: number) => {
  const ckpt = (globalThis as unknown as { ckpt: Page }).ckpt
  const lines: string[] = []
  try {
    const c = await ckpt.createCheckpointer({
      storage: ckpt.indexedDbStorage('run'),
      filepath: 'ckpt-{epoch:02d}.safetensors',
      monitor: 'loss',
      log: (l) => lines.push(l),
    })
    await c.onEpochEnd({ epoch, logs: { loss: 1 } }, ckpt.tensorsOf(epoch))
    ;(globalThis as { kept?: unknown }).kept = c // training goes on: the lock stays held
    return { saved: true, lines }
  } catch (e) {
    return { saved: false, error: ckpt.isCkptError(e) ? e._tag : String(e), message: (e as Error).message, lines }
  }
}

if (browser !== null)
  it('a second tab is refused while the first trains, and takes over at once after the first is reloaded', async () => {
    const context = await browser.newContext()
    const first = await openTestPage(context, entry, { waitForTests: false })
    const second = await openTestPage(context, entry, { waitForTests: false })
    try {
      await second.page.goto(`${first.origin}/`) // one origin: one IndexedDB, one set of Web Locks
      for (const t of [first, second]) await t.page.waitForFunction(() => 'ckpt' in globalThis)
      expect(await first.page.evaluate(saveOnce, 0)).toMatchObject({ saved: true })
      const refused = await second.page.evaluate(saveOnce, 1)
      expect(refused).toMatchObject({ saved: false, error: 'WriterLocked' })
      // Said as a browser user sees it: a page of this browser, not "process 0 on host …".
      expect(refused.message).toMatch(/^another writer holds this checkpoint folder: a page or worker of this browser \(another tab/)
      expect(refused.message).toMatch(/close that page or stop its training/)
      expect(refused.message).not.toMatch(/process 0/)

      await first.page.reload()
      await first.page.waitForFunction(() => 'ckpt' in globalThis)
      const after = await second.page.evaluate(saveOnce, 1)
      expect(after).toMatchObject({ saved: true })
      expect(after.lines.join('\n')).toMatch(/taking over the writer lock .*: its page or worker is gone/)
    } finally {
      await first.close()
      await second.close()
      await context.close()
    }
  })
