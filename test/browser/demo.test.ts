import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { expect, it, onTestFinished } from 'vitest'
import { chromiumFor } from './support/session.js'

// `npm run demo:browser` in Chromium: it trains and saves, a reload mid-training resumes from the latest checkpoint
// and the epochs go on from there, and the kept list is the index in IndexedDB. A screenshot is kept as an artifact.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCREENSHOT = `${ROOT}test-artifacts/browser-demo.png`
const browser = await chromiumFor('browser demo (npm run demo:browser)')

/**
 * Starts `npm run demo:browser` on a free port (its own process group, ended when the calling test finishes: a hook
 * registered inside a test body would never run, and the server outlived the suite); resolves to the URL it prints.
 */
const startDemo = async (): Promise<string> => {
  const child = spawn('npm', ['run', 'demo:browser', '--', '--port', '0'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  onTestFinished(() => {
    // The whole group: npm may be gone while the server it started still runs.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1]
      if (url !== undefined) resolve(url)
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.on('exit', (code) => reject(new Error(`npm run demo:browser exited (${code}) before printing a URL:\n${output}`)))
  })
}

/** An element as the Node program sees it (its types have no DOM). */
declare const localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }
type Node = { readonly textContent: string | null }
const text = (page: Page, selector: string) => page.$eval(selector, (e) => (e as unknown as Node).textContent ?? '')
const keptInIndexedDb = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { ckptDemo: { keptFromIndexedDb(): Promise<string[]> } }).ckptDemo.keptFromIndexedDb())
const keptShown = (page: Page) =>
  page.$$eval('#kept tr td:first-child', (cells) => cells.map((c) => (c as unknown as Node).textContent ?? ''))
const epochOf = (path: string) => Number(/^epoch_(\d+)/.exec(path)?.[1])
/** The page's status line and its data attributes (the finished epoch, whether training ended). */
const state = (page: Page) =>
  page.$eval('#status', (e) => {
    const { dataset, textContent } = e as unknown as Node & { dataset: { epoch?: string; state?: string } }
    const { epoch, state } = dataset
    return { text: textContent ?? '', epoch: Number(epoch ?? 0), ended: state === 'ended' }
  })

/** Polls the page's state until `done` holds; a timeout says where the page was. */
const until = async (page: Page, what: string, done: (s: Awaited<ReturnType<typeof state>>) => boolean, ms = 90_000) => {
  const deadline = Date.now() + ms
  for (;;) {
    const now = await state(page)
    if (done(now)) return now
    if (Date.now() > deadline) throw new Error(`the demo page did not get to ${what} in ${ms / 1000} s; its status: ${JSON.stringify(now)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

if (browser !== null) {
  it('trains and saves, resumes from the latest checkpoint after a reload mid-training, and lists what IndexedDB keeps', async () => {
    const url = await startDemo()
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } })
    page.on('pageerror', (e) => console.error(`[demo page error] ${e.stack ?? e.message}`))
    await page.goto(url)
    await until(page, 'epoch 5', (s) => s.epoch >= 5)
    expect(await text(page, '#resumed')).toBe('')
    const before = await keptInIndexedDb(page)
    expect(before.length).toBeGreaterThanOrEqual(1)
    const doneBefore = (await state(page)).epoch

    // Mid-training: the next epoch is under way.
    await page.reload()
    await page.waitForSelector('#resumed:not(:empty)', { timeout: 60_000 })
    const resumed = await text(page, '#resumed')
    const [, path, savedAt, continuesAt] = /latest checkpoint, (\S+) \(saved at epoch (\d+)\).*continues at epoch (\d+)/.exec(resumed) ?? []
    expect(resumed).toContain('Resumed from the latest checkpoint')
    // The latest at the reload: the newest kept before it, or one committed since (an epoch may have ended meanwhile).
    expect(Number(savedAt)).toBeGreaterThanOrEqual(Math.max(...before.map(epochOf)))
    expect(Number(savedAt)).toBeLessThanOrEqual(doneBefore + 1)
    expect(epochOf(path!)).toBe(Number(savedAt))
    expect(Number(continuesAt)).toBe(Number(savedAt) + 1)

    // Training goes on from there: the next finished epoch is the one after the checkpoint, not epoch 1.
    const next = await until(page, `epoch ${continuesAt}`, (s) => s.epoch >= Number(continuesAt))
    expect(next.epoch).toBeLessThan(Number(continuesAt) + 3)
    await page.evaluate(() => (globalThis as unknown as { ckptDemo: { stop(): void } }).ckptDemo.stop())
    const finished = (await until(page, 'the end of training (stopped)', (s) => s.ended)).epoch
    expect(finished).toBeGreaterThanOrEqual(Number(continuesAt))

    // The kept list on the page is the index in IndexedDB, and the chart shows the saves and the resume.
    const kept = await keptInIndexedDb(page)
    expect(await keptShown(page)).toEqual(kept)
    expect(kept.length).toBeGreaterThanOrEqual(1)
    expect(kept.length).toBeLessThanOrEqual(3)
    expect(await page.$$eval('#chart .save', (m) => m.length)).toBeGreaterThanOrEqual(1)
    expect(await page.$$eval('#chart .resumed', (m) => m.length)).toBe(1)
    // saveTopK: 3, and more than three saves by now: retention deleted one, marked on the chart.
    expect(await page.$$eval('#chart .deleted', (m) => m.length)).toBeGreaterThanOrEqual(1)
    // A point for every epoch so far, including those before the reload (kept in localStorage, or rebuilt from the
    // index for a reload between an epoch's commit and the page storing its point).
    const epochs = await page.$$eval('#chart .save, #chart .skip', (m) =>
      m.map((e) => Number((e as unknown as { getAttribute(name: string): string | null }).getAttribute('data-epoch'))),
    )
    expect(epochs).toEqual(Array.from({ length: finished }, (_, i) => i))

    mkdirSync(`${ROOT}test-artifacts`, { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    console.log(`[browser demo] screenshot: ${SCREENSHOT}`)

    // A reload between the latest checkpoint's commit and the page storing its epoch's point leaves the history
    // without that point and those after it: made so here (training has stopped), then reloaded. The page rebuilds
    // the point from the index: the same save mark, and the same retention deletions, as before.
    const latest = Math.max(...kept.map(epochOf)) - 1
    const upToLatest = () =>
      page
        .$$eval('#chart title', (ts) => ts.map((t) => (t as unknown as Node).textContent ?? ''))
        .then((titles) => titles.filter((t) => Number(/epoch (\d+)/.exec(t)?.[1]) <= latest + 1))
    const marks = await upToLatest()
    expect(marks.filter((t) => t.startsWith(`epoch ${latest + 1}: saved`))).toHaveLength(1)
    await page.evaluate((last) => {
      const key = 'ckpt-browser-demo:history'
      const history = JSON.parse(localStorage.getItem(key)!) as { points: { epoch: number }[] }
      history.points = history.points.filter((p) => p.epoch < last)
      localStorage.setItem(key, JSON.stringify(history))
    }, latest)
    await page.reload()
    await page.waitForSelector('#resumed:not(:empty)', { timeout: 60_000 })
    expect(await text(page, '#resumed')).toContain(`(saved at epoch ${latest + 1})`)
    expect(await upToLatest()).toEqual(marks)
    await page.close()
  }, 180_000)
}
