import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

/** Debian's Chromium (installed by .ci/run), or the one `CKPT_CHROMIUM` names. */
export const CHROMIUM_PATH = process.env['CKPT_CHROMIUM'] ?? '/usr/bin/chromium'

const ARGS = ['--headless=new', '--no-sandbox']

/** A started browser, or why it could not start (the suites print it and skip). */
export type Launched = { readonly browser: Browser; readonly skip?: undefined } | { readonly skip: string }

/** Why there is no Chromium to start, or `null`. */
export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium: apt-get install -y chromium; or set CKPT_CHROMIUM)`

/** Starts Chromium with a throwaway profile; never throws: a browser that cannot start is a reason to skip. */
export const launchChromium = async (): Promise<Launched> => {
  const missing = chromiumMissing()
  if (missing !== null) return { skip: missing }
  try {
    return { browser: await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 }) }
  } catch (e) {
    return { skip: `Chromium at ${CHROMIUM_PATH} did not start: ${String((e as Error).message ?? e).split('\n')[0]}` }
  }
}

/** Starts Chromium on the profile folder `dir`, kept across launches: for tests that close the browser and resume. */
export const launchProfile = (dir: string): Promise<BrowserContext> =>
  chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 })
