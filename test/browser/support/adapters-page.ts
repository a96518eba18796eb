import type { Browser, BrowserContext } from 'playwright-core'
import { openTestPage, type TestPage } from './session.js'

/** Opens the page with the browser adapters on `globalThis.ckpt` (pages/adapters.ts), ready to be driven. */
export const openAdaptersPage = async (browser: Browser | BrowserContext): Promise<TestPage> => {
  const opened = await openTestPage(browser, new URL('../pages/adapters.ts', import.meta.url), { waitForTests: false })
  try {
    await opened.page.waitForFunction(() => 'ckpt' in globalThis)
  } catch (e) {
    await opened.close()
    throw e
  }
  return opened
}

/** Runs `script` in a new adapters page, then closes the page: resolves to what `script` resolves to in the page. */
export const inAdaptersPage = async <R>(browser: Browser | BrowserContext, script: () => Promise<R>): Promise<R> => {
  const { page, close } = await openAdaptersPage(browser)
  try {
    return await page.evaluate(script)
  } finally {
    await close()
  }
}
