import { expect, it } from 'vitest'
import type { TestPageApi } from './pages/export-import.js'
import { chromiumFor, openTwoTabs } from './support/session.js'

// A page reloaded mid-training leaves its writer lock in the folder. The page held a Web Lock named after its
// incarnation while it ran; once it is gone, the next page of the profile takes the lock over at once, while a
// live page's lock still refuses a second writer, with a message that speaks of pages.
const browser = await chromiumFor('the writer lock of a reloaded page')
const entry = new URL('./pages/export-import.ts', import.meta.url)

/** In the page: one save on IndexedDB `run`, the Checkpointer kept (its writer lock held). */
const saveOnce = (epoch: number) => (globalThis as unknown as { ckpt: TestPageApi }).ckpt.saveKept(epoch)

if (browser !== null)
  it('a second tab is refused while the first trains, and takes over at once after the first is reloaded', async () => {
    const context = await browser.newContext()
    const [first, second] = await openTwoTabs(context, entry)
    try {
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
