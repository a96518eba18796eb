import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// A browser may refuse persistence by rejecting (a sandboxed or otherwise restricted context) rather than resolving
// false: requestPersistence still answers false, as its docs say, instead of failing the page's start.
const browser = await chromiumFor('requestPersistence when the browser rejects the request')

if (browser !== null)
  it('requestPersistence resolves to false when navigator.storage.persist() rejects', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { requestPersistence } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const storage = (globalThis as unknown as { navigator: { storage: Record<string, unknown> } }).navigator.storage
      const refuse = () => Promise.reject(new DOMException('refused here', 'SecurityError'))
      Object.assign(storage, { persist: refuse, persisted: refuse })
      return requestPersistence().then(
        (answer) => `resolved ${String(answer)}`,
        (e: unknown) => `rejected ${String(e)}`,
      )
    })
    expect(outcome).toBe('resolved false')
  })
