import { expect, it } from 'vitest'
import type { SaveOutcome, TestPageApi } from './pages/export-import.js'
import { bundleForPage } from './support/bundle.js'
import { chromiumFor, openTwoTabs } from './support/session.js'

// tfjs pages often train in a dedicated worker, to keep the page responsive. A worker has Web Locks but no
// localStorage. A reloaded page's training worker is gone with it: the next worker (or a page) of the profile
// takes its writer lock over at once, as a page's is, not after lockStaleAfter; while it runs, it is refused.
const browser = await chromiumFor('the writer lock of a training worker')
const entry = new URL('./pages/export-import.ts', import.meta.url)
const workerEntry = new URL('./pages/lock-worker.ts', import.meta.url)

/** In the page: a new training worker (the old one, if any, terminated). */
const spawn = () => {
  const g = globalThis as unknown as { worker?: { terminate(): void } }
  g.worker?.terminate()
  g.worker = new (globalThis as unknown as { Worker: new (url: string, o: object) => { terminate(): void } }).Worker('/worker.js', {
    type: 'module',
  })
}

/** In the page: the worker saves epoch `epoch`. */
const saveInWorker = (epoch: number) =>
  new Promise<SaveOutcome>((resolve) => {
    const w = (globalThis as unknown as { worker: { onmessage: unknown; postMessage(m: unknown): void } }).worker
    w.onmessage = (e: { data: SaveOutcome }) => resolve(e.data)
    w.postMessage(epoch)
  })

/** In the page: one save on IndexedDB `run`, the Checkpointer kept (its writer lock held). */
const saveInPage = (epoch: number) => (globalThis as unknown as { ckpt: TestPageApi }).ckpt.saveKept(epoch)

/** In the page: waits until at most `n` writers of the origin show that they run (a terminated worker's Web Lock goes). */
const untilWritersShown = async (n: number) => {
  const locks = (globalThis as unknown as { navigator: { locks: { query(): Promise<{ held: Array<{ name: string }> }> } } }).navigator.locks
  while ((await locks.query()).held.filter((l) => l.name.startsWith('ckpt-writer-alive:')).length > n)
    await new Promise((r) => setTimeout(r, 50))
}

if (browser !== null)
  it("a reloaded page's training worker is taken over at once by the next worker, a live one is refused, and a page takes over a terminated worker's lock", async () => {
    const assets = new Map([['/worker.js', { type: 'text/javascript; charset=utf-8', body: await bundleForPage(workerEntry.pathname) }]])
    const context = await browser.newContext()
    const [first, second] = await openTwoTabs(context, entry, assets)
    try {
      await first.page.evaluate(spawn)
      expect(await first.page.evaluate(saveInWorker, 0)).toMatchObject({ saved: true })
      expect(await second.page.evaluate(saveInPage, 1)).toMatchObject({ saved: false, error: 'WriterLocked' })

      await first.page.reload() // the worker goes with its page
      await first.page.waitForFunction(() => 'ckpt' in globalThis)
      await first.page.evaluate(spawn)
      const after = await first.page.evaluate(saveInWorker, 1)
      expect(after).toMatchObject({ saved: true })
      expect(after.lines.join('\n')).toMatch(/taking over the writer lock .*: its page or worker is gone/)
      expect(await second.page.evaluate(saveInPage, 2)).toMatchObject({ saved: false, error: 'WriterLocked' })

      await first.page.evaluate(spawn) // the training worker terminated, a new one idle
      await second.page.evaluate(untilWritersShown, 1) // the second page's own
      const taken = await second.page.evaluate(saveInPage, 2)
      expect(taken).toMatchObject({ saved: true })
      expect(taken.lines.join('\n')).toMatch(/taking over the writer lock .*: its page or worker is gone/)
    } finally {
      await first.close()
      await second.close()
      await context.close()
    }
  })
