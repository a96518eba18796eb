import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, describe, it } from 'vitest'
import { bundleForPage } from './bundle.js'
import { CHROMIUM_PATH, chromiumMissing, launchChromium, launchProfile } from './chromium.js'
import type { CaseResult, PageTests } from './runner.js'
import { PAGE_HTML, servePages, type PageServer, type Served } from './server.js'

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
 * Bundles `entry` (esbuild, in this process) and serves it on 127.0.0.1 with `assets`, as `/` and `/page.js`;
 * `external` as `bundleForPage` takes it.
 */
export const servePage = async (
  entry: URL,
  assets: ReadonlyMap<string, Served> = new Map(),
  external: ReadonlyArray<string> = [],
): Promise<PageServer> => {
  const script = await bundleForPage(entry.pathname, external)
  return servePages(new Map([...assets, ['/', PAGE_HTML], ['/page.js', { type: 'text/javascript; charset=utf-8', body: script }]]))
}

/**
 * Opens `origin` in a new page of `browser` (a browser, or a persistent profile's context), its console and errors
 * forwarded. Waits for the page to expose its tests when `waitForTests`, or for `globalThis[waitFor]` when given.
 */
export const openPage = async (
  browser: Browser | BrowserContext,
  origin: string,
  options: { readonly waitForTests?: boolean; readonly waitFor?: string } = {},
): Promise<{ readonly page: Page; readonly errors: ReadonlyArray<string> }> => {
  const page = await browser.newPage()
  const errors: string[] = []
  forward(page, errors)
  await page.goto(`${origin}/`)
  const global = options.waitFor ?? ((options.waitForTests ?? true) ? '__ckptTests' : undefined)
  if (global !== undefined) {
    await page
      .waitForFunction((g) => (globalThis as Record<string, unknown>)[g] !== undefined, global, { timeout: 30_000 })
      .catch((e: unknown) => {
        throw new Error(`the page at ${origin} did not expose globalThis.${global}: ${errors.join('\n') || String(e)}`)
      })
  }
  return { page, errors }
}

/**
 * Bundles `entry` (esbuild, in this process), serves it on 127.0.0.1 with `assets`, and opens it in a new page of
 * `browser` (a browser, or a persistent profile's context). Waits for the page to expose its tests when `waitForTests`.
 */
export const openTestPage = async (
  browser: Browser | BrowserContext,
  entry: URL,
  options: {
    readonly assets?: ReadonlyMap<string, Served>
    readonly waitForTests?: boolean
    readonly waitFor?: string
    readonly external?: ReadonlyArray<string>
  } = {},
): Promise<TestPage> => {
  const server = await servePage(entry, options.assets, options.external)
  const { page, errors } = await openPage(browser, server.origin, options)
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
  if (launched.skip !== undefined) return skipped(title, launched.skip)
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

/**
 * Chromium on the profile folder `dir` (kept across launches: close it and call again to relaunch), or, when it
 * cannot start, `null` after printing why and registering one skipped test under `title` that says so.
 */
export const profileFor = async (title: string, dir: string): Promise<BrowserContext | null> => {
  const reason = chromiumMissing()
  if (reason === null)
    try {
      return await launchProfile(dir)
    } catch (e) {
      return skipped(title, `Chromium at ${CHROMIUM_PATH} did not start: ${String((e as Error).message ?? e).split('\n')[0]}`)
    }
  return skipped(title, reason)
}

const skipped = (title: string, reason: string): null => {
  console.warn(`[browser] ${title}: skipped: ${reason}`)
  describe(title, () => it.skip(`Chromium unavailable: ${reason}`, () => undefined))
  return null
}

/**
 * Two pages of `context` on one origin (one IndexedDB, one set of Web Locks), as two tabs of a user's browser, each
 * with `globalThis.ckpt` loaded. `assets` are served by the first page's server, which both use.
 */
export const openTwoTabs = async (
  context: BrowserContext,
  entry: URL,
  assets?: ReadonlyMap<string, Served>,
): Promise<readonly [TestPage, TestPage]> => {
  const first = await openTestPage(context, entry, { waitForTests: false, ...(assets === undefined ? {} : { assets }) })
  const second = await openTestPage(context, entry, { waitForTests: false }).catch(async (e: unknown) => {
    await first.close()
    throw e
  })
  await second.page.goto(`${first.origin}/`)
  for (const t of [first, second]) await t.page.waitForFunction(() => 'ckpt' in globalThis)
  return [first, second]
}
