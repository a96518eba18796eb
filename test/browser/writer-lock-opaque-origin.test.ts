import { expect, it } from 'vitest'
import type { Frame } from 'playwright-core'
import type { TestPageApi } from './pages/export-import.js'
import { bundleForPage } from './support/bundle.js'
import { chromiumFor, openTestPage } from './support/session.js'

// A sandboxed iframe (no allow-same-origin), like a notebook cell or a code playground, has an opaque origin: its
// navigator.locks is there, but every request rejects with SecurityError, and localStorage and IndexedDB throw.
// The writer lock there cannot show that its page runs; it must still be taken, not wait for a Web Lock for ever.
const browser = await chromiumFor('the writer lock in an opaque origin')
const entry = new URL('./pages/export-import.ts', import.meta.url)

/** In the frame: one save on memory storage, or 'hung' when it has not settled after `waitMs`. */
const saveOnce = async (waitMs: number) => {
  const ckpt = (globalThis as unknown as { ckpt: TestPageApi }).ckpt
  const lines: string[] = []
  const storage = ckpt.memoryStorage()
  const save = (async () => {
    const c = await ckpt.createCheckpointer({
      storage,
      filepath: 'ckpt-{epoch:02d}.safetensors',
      monitor: 'loss',
      log: (l) => lines.push(l),
    })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, ckpt.tensorsOf(0))
    await c.close()
    return 'saved'
  })().catch((e: unknown) => `failed: ${String(e)}`)
  const outcome = await Promise.race([save, new Promise<string>((resolve) => setTimeout(() => resolve('hung'), waitMs))])
  let locksDenied = false
  await (globalThis as unknown as { navigator: { locks: { request(n: string, f: () => void): Promise<void> } } }).navigator.locks
    .request('probe', () => undefined)
    .catch(() => (locksDenied = true))
  return { outcome, lines, locksDenied, kept: await storage.list() }
}

if (browser !== null)
  it('a Checkpointer in a sandboxed iframe takes the writer lock and saves (it does not wait for a Web Lock for ever)', async () => {
    const script = await bundleForPage(entry.pathname)
    const opened = await openTestPage(browser, entry, { waitForTests: false })
    try {
      await opened.page.evaluate((code) => {
        interface Element {
          readonly sandbox: { add(token: string): void }
          srcdoc: string
        }
        const doc = (globalThis as unknown as { document: { createElement(t: string): Element; body: { append(e: Element): void } } })
          .document
        const frame = doc.createElement('iframe')
        frame.sandbox.add('allow-scripts')
        frame.srcdoc = `<!doctype html><script type="module">${code.replaceAll('</script', '<\\/script')}</script>`
        doc.body.append(frame)
      }, script)
      const frame = await (async (): Promise<Frame> => {
        for (;;) {
          const f = opened.page.frames().find((x) => x !== opened.page.mainFrame())
          if (f !== undefined) return f
          await new Promise((r) => setTimeout(r, 50))
        }
      })()
      await frame.waitForFunction(() => 'ckpt' in globalThis, null, { timeout: 30_000 })
      const r = await frame.evaluate(saveOnce, 20_000)
      expect(r.locksDenied).toBe(true) // the premise: Web Locks are there, and refuse this context
      expect(r.outcome).toBe('saved')
      expect(r.kept).toContain('ckpt-01.safetensors')
      expect(r.kept).not.toContain('ckpt-writer.lock') // taken, and released by close()
    } finally {
      await opened.close()
    }
  })
