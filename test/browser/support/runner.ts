import type { TestApi } from '../../../src/testing/test-api.js'
import { expect } from './expect.js'

/** One test case registered in the page: its full name (describe titles and its own, joined by " > "). */
export interface CaseInfo {
  readonly name: string
  readonly skipped: boolean
}

export interface CaseResult {
  readonly ok: boolean
  /** The failure's message and stack, when not ok. */
  readonly error?: string
  readonly ms: number
}

/** What a test page exposes as `globalThis.__ckptTests` for the Node side to list and run its cases. */
export interface PageTests {
  readonly list: () => ReadonlyArray<CaseInfo>
  readonly run: (name: string) => Promise<CaseResult>
}

/**
 * A test runner for code that runs in a page: `api` is the `TestApi` suites such as `conformance` take; it
 * records each case, and `tests` lists and runs them one at a time by name, so that the Node side can report
 * each as its own test.
 */
export const pageRunner = (): { readonly api: TestApi; readonly tests: PageTests } => {
  const cases = new Map<string, (() => Promise<void>) | null>()
  const titles: string[] = []
  const add = (name: string, body: (() => Promise<void>) | null) => {
    const full = [...titles, name].join(' > ')
    if (cases.has(full)) throw new Error(`two test cases are named "${full}"`)
    cases.set(full, body)
  }
  const it = Object.assign((name: string, body: () => Promise<void>) => add(name, body), { skip: (name: string) => add(name, null) })
  const api: TestApi = {
    describe: (name, body) => {
      titles.push(name)
      try {
        body()
      } finally {
        titles.pop()
      }
    },
    it,
    expect,
  }
  const tests: PageTests = {
    list: () => [...cases].map(([name, body]) => ({ name, skipped: body === null })),
    run: async (name) => {
      const body = cases.get(name)
      if (body === undefined || body === null) return { ok: false, error: `no runnable case named "${name}"`, ms: 0 }
      const started = performance.now()
      try {
        await body()
        return { ok: true, ms: performance.now() - started }
      } catch (e) {
        const error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)
        return { ok: false, error, ms: performance.now() - started }
      }
    },
  }
  return { api, tests }
}

/** Makes the page's cases reachable from the Node side (`openTestPage` waits for this). */
export const exposeTests = (tests: PageTests): void => {
  ;(globalThis as { __ckptTests?: PageTests }).__ckptTests = tests
}
