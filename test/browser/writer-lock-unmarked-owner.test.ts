import { expect, it } from 'vitest'
import type { TestPageApi } from './pages/export-import.js'
import { chromiumFor, openTwoTabs } from './support/session.js'

// A writer of this browser profile that holds no Web Lock (where Web Locks refuse it, or a ckpt that did not take
// one) cannot be told gone by one: with a fresh heartbeat, its lock refuses a second writer, as in Node.
const browser = await chromiumFor('the writer lock of an owner without a Web Lock')
const entry = new URL('./pages/export-import.ts', import.meta.url)

/** In the page: one save on IndexedDB `run`, the Checkpointer kept (its writer lock held). */
const saveOnce = (epoch: number) => (globalThis as unknown as { ckpt: TestPageApi }).ckpt.saveKept(epoch)

/** In the page: the lock rewritten as another writer of this profile would leave it without a Web Lock, seen now. */
const asUnmarkedOwner = async () => {
  const storage = (globalThis as unknown as { ckpt: TestPageApi }).ckpt.indexedDbStorage('run')
  const owner = JSON.parse(new TextDecoder().decode(await storage.read('ckpt-writer.lock'))) as Record<string, unknown>
  delete owner['alive']
  const other = { ...owner, incarnation: 'another-writer', heartbeat: Date.now() }
  await storage.write('ckpt-writer.lock', new TextEncoder().encode(`${JSON.stringify(other)}\n`))
}

if (browser !== null)
  it('a lock of this profile whose owner shows no Web Lock is not taken over while its heartbeat is fresh', async () => {
    const context = await browser.newContext()
    const [first, second] = await openTwoTabs(context, entry)
    try {
      expect(await first.page.evaluate(saveOnce, 0)).toMatchObject({ saved: true })
      await first.page.evaluate(asUnmarkedOwner)
      expect(await second.page.evaluate(saveOnce, 1)).toMatchObject({ saved: false, error: 'WriterLocked' })
    } finally {
      await first.close()
      await second.close()
      await context.close()
    }
  })
