import { expect, it } from 'vitest'
import type { PageApi } from './pages/export-import.js'
import type { tensorsOf } from './pages/export-import.js'
import { chromiumFor, openTestPage } from './support/session.js'

// A writer of this browser profile that holds no Web Lock (where Web Locks refuse it, or a ckpt that did not take
// one) cannot be told gone by one: with a fresh heartbeat, its lock refuses a second writer, as in Node.
const browser = await chromiumFor('the writer lock of an owner without a Web Lock')
const entry = new URL('./pages/export-import.ts', import.meta.url)

type Page = PageApi & { tensorsOf: typeof tensorsOf }

/** In the page: one save on IndexedDB `run` (the writer lock taken first); its outcome. */
const saveOnce = async (epoch: number) => {
  const ckpt = (globalThis as unknown as { ckpt: Page }).ckpt
  try {
    const c = await ckpt.createCheckpointer({
      storage: ckpt.indexedDbStorage('run'),
      filepath: 'ckpt-{epoch:02d}.safetensors',
      monitor: 'loss',
      log: () => undefined,
    })
    await c.onEpochEnd({ epoch, logs: { loss: 1 } }, ckpt.tensorsOf(epoch))
    ;(globalThis as { kept?: unknown }).kept = c
    return { saved: true }
  } catch (e) {
    return { saved: false, error: ckpt.isCkptError(e) ? e._tag : String(e) }
  }
}

/** In the page: the lock rewritten as another writer of this profile would leave it without a Web Lock, seen now. */
const asUnmarkedOwner = async () => {
  const storage = (globalThis as unknown as { ckpt: Page }).ckpt.indexedDbStorage('run')
  const owner = JSON.parse(new TextDecoder().decode(await storage.read('ckpt-writer.lock'))) as Record<string, unknown>
  delete owner['alive']
  const other = { ...owner, incarnation: 'another-writer', heartbeat: Date.now() }
  await storage.write('ckpt-writer.lock', new TextEncoder().encode(`${JSON.stringify(other)}\n`))
}

if (browser !== null)
  it('a lock of this profile whose owner shows no Web Lock is not taken over while its heartbeat is fresh', async () => {
    const context = await browser.newContext()
    const first = await openTestPage(context, entry, { waitForTests: false })
    const second = await openTestPage(context, entry, { waitForTests: false })
    try {
      await second.page.goto(`${first.origin}/`) // one origin: one IndexedDB, one set of Web Locks
      for (const t of [first, second]) await t.page.waitForFunction(() => 'ckpt' in globalThis)
      expect(await first.page.evaluate(saveOnce, 0)).toMatchObject({ saved: true })
      await first.page.evaluate(asUnmarkedOwner)
      expect(await second.page.evaluate(saveOnce, 1)).toMatchObject({ saved: false, error: 'WriterLocked' })
    } finally {
      await first.close()
      await second.close()
      await context.close()
    }
  })
