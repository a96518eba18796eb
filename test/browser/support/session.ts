import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, describe, it } from 'vitest'
import { bundleForPage } from './bundle.js'
import { launchChromium } from './chromium.js'
import type { CaseResult, PageTests } from './runner.js'
import { PAGE_HTML, servePages, type Served } from './server.js'

export interface TestPage {
  readonly page: Page
  /** The page's origin, `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** Uncaught errors of the page so far (each is also printed). */
  readonly errors: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/** Prints the page's console and uncaught errors in the test output, and collects the errors. */
const forward = (page: Page, errors: string[]): void => {
  page.on('console', (m) => {
    const text = `[page ${m.type()}] ${m.text()}`
    if (m.type() === 'error' || m.type() === 'warning') console.warn(text)
    else console.log(text)
  })
  page.on('pageerror', (e) => {
    errors.push(e.stack ?? e.message)
    console.error(`[page error] ${e.stack ?? e.message}`)
  })
}

/**
 * Bundles `entry` (esbuild, in this process), serves it on 127.0.0.1 with `assets`, and opens it in a new page of
 * `browser` (a browser, or a persistent profile's context). Waits for the page to expose its tests when `waitForTests`.
 */
export const openTestPage = async (
  browser: Browser | BrowserContext,
  entry: URL,
  options: { readonly assets?: ReadonlyMap<string, Served>; readonly waitForTests?: boolean } = {},
): Promise<TestPage> => {
  const script = await bundleForPage(entry.pathname)
  const server = await servePages(
    new Map([...(options.assets ?? []), ['/', PAGE_HTML], ['/page.js', { type: 'text/javascript; charset=utf-8', body: script }]]),
  )
  const page = await browser.newPage()
  const errors: string[] = []
  forward(page, errors)
  await page.goto(`${server.origin}/`)
  if (options.waitForTests ?? true) {
    await page
      .waitForFunction(() => (globalThis as { __ckptTests?: unknown }).__ckptTests !== undefined, undefined, { timeout: 30_000 })
      .catch((e: unknown) => {
        throw new Error(`the test page ${entry.pathname} did not expose its tests: ${errors.join('\n') || String(e)}`)
      })
  }
  return {
    page,
    origin: server.origin,
    errors,
    close: async () => {
      await page.close().catch(() => undefined)
      await server.close()
    },
  }
}

/**
 * One Chromium for the calling test file, closed after its tests; or, when Chromium cannot start, `null` after
 * printing why and registering one skipped test under `title` that says so: a browser suite never passes silently.
 */
export const chromiumFor = async (title: string): Promise<Browser | null> => {
  const launched = await launchChromium()
  if (launched.skip !== undefined) {
    console.warn(`[browser] ${title}: skipped: ${launched.skip}`)
    describe(title, () => it.skip(`Chromium unavailable: ${launched.skip}`, () => undefined))
    return null
  }
  afterAll(() => launched.browser.close())
  return launched.browser
}

/**
 * Registers, in the calling test file, one vitest test per case the page `entry` defines (see `pageRunner`), run
 * in one Chromium started for the file: a failing case fails under its own name, with the page's message and
 * stack. `only` keeps the cases whose names start with it. When Chromium cannot start, prints why and registers
 * one skipped test that says so: the suite never passes silently.
 */
export const pageSuite = async (title: string, entry: URL, only = ''): Promise<void> => {
  const browser = await chromiumFor(title)
  if (browser === null) return
  const opened = await openTestPage(browser, entry)
  afterAll(() => opened.close())
  const cases = (await opened.page.evaluate(() => (globalThis as unknown as { __ckptTests: PageTests }).__ckptTests.list())).filter((c) =>
    c.name.startsWith(only),
  )
  if (cases.length === 0) throw new Error(`the test page ${entry.pathname} defines no case starting with "${only}"`)
  describe(title, () => {
    for (const c of cases) {
      const name = c.name.slice(only.length).replace(/^ > /, '') || c.name
      if (c.skipped) it.skip(name, () => undefined)
      else
        it(name, async () => {
          const before = opened.errors.length
          const result: CaseResult = await opened.page.evaluate(
            (n) => (globalThis as unknown as { __ckptTests: PageTests }).__ckptTests.run(n),
            c.name,
          )
          if (!result.ok) throw new Error(`in Chromium: ${result.error ?? 'failed'}`)
          // An uncaught error or unhandled rejection while the case ran (a background promise) fails it too.
          const thrown = opened.errors.slice(before)
          if (thrown.length > 0) throw new Error(`in Chromium, uncaught while the case ran:\n${thrown.join('\n')}`)
        })
    }
  })
}
