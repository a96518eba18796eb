/**
 * Saves in Chromium against the same saves in Node, on this machine, in one run (issue 13: at most 1.5x for a 3.5 MB
 * and a 64 MB model). The same save loop (bench/save-loop.ts) runs on both sides, one save here and one there in
 * turn, so that both see the same load. The gated rows store into the same in-memory Map store on both sides (the
 * browser build's `memoryStorage`, run in Node too), so that they compare ckpt's own work on each platform (encoding,
 * SHA-256 blocks, commit, index) and leave storage out. IndexedDB and OPFS against fsStorage are printed for what a
 * page pays for a disk, without a target.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { fsStorage } from '../src/storage/fs.js'
import { memoryStorage as mapStorage } from '../src/storage/memory-browser.js'
import type { Storage } from '../src/storage/storage.js'
import { bundleForPage } from '../test/browser/support/bundle.js'
import { launchChromium } from '../test/browser/support/chromium.js'
import { PAGE_HTML, servePages } from '../test/browser/support/server.js'
import type { PageStorage, SavePage } from './browser/save-page.js'
import { benchRuns, median, skippedRow, type BenchRow, type BenchSection } from './harness.js'
import { MODELS, modelTensors, saver } from './save-loop.js'

const TARGET = 1.5
const WARMUP = 2

const spread = (xs: ReadonlyArray<number>) => `median ${median(xs).toFixed(1)} ms (runs ${xs.map((x) => x.toFixed(0)).join(', ')})`

/** `runs` saves on each side (after `WARMUP`), alternating: resolves to each side's times. */
const alternate = async (page: Page, node: Storage, kind: PageStorage, bytes: number, runs: number) => {
  const here = await saver(node, modelTensors(bytes))
  await page.evaluate(([k, b]) => (globalThis as unknown as { ckptBench: SavePage }).ckptBench.open(k, b), [kind, bytes] as const)
  const there = () => page.evaluate(() => (globalThis as unknown as { ckptBench: SavePage }).ckptBench.save())
  const times = { node: [] as number[], browser: [] as number[] }
  for (let i = 0; i < WARMUP + runs; i++) {
    const [n, b] = [await here.save(), await there()]
    if (i < WARMUP) continue
    times.node.push(n)
    times.browser.push(b)
  }
  await here.close()
  return times
}

const section: BenchSection = {
  name: 'browser saves: Chromium vs Node, same machine, same run',
  run: async () => {
    const launched = await launchChromium()
    if (launched.skip !== undefined) return [skippedRow('saves in Chromium vs Node', launched.skip)]
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-browser-'))
    // The page's bundle, served on 127.0.0.1 (a secure context: Web Crypto, IndexedDB, OPFS); h5wasm is never reached.
    const script = await bundleForPage(new URL('./browser/save-page.ts', import.meta.url).pathname, ['h5wasm'])
    const server = await servePages(
      new Map([
        ['/', PAGE_HTML],
        ['/page.js', { type: 'text/javascript; charset=utf-8', body: script }],
      ]),
    )
    const rows: BenchRow[] = []
    try {
      const page = await launched.browser.newPage()
      await page.goto(`${server.origin}/`)
      await page.waitForFunction(() => 'ckptBench' in globalThis, undefined, { timeout: 60_000 })
      for (const model of MODELS) {
        const runs = benchRuns(model.bytes > 8 * 1024 * 1024 ? 5 : 11)
        const mem = await alternate(page, mapStorage(), 'memory', model.bytes, runs)
        const ratio = median(mem.browser) / median(mem.node)
        rows.push({
          name: `save a ${model.name} model (4 float32 tensors) to the in-memory Map store: Chromium vs Node`,
          subject: `Chromium ${spread(mem.browser)}`,
          baseline: `Node ${spread(mem.node)}`,
          ratio,
          ratioMeaning: 'Chromium / Node, medians',
          target: `<= ${TARGET}`,
          pass: ratio <= TARGET,
        })
        for (const kind of ['indexeddb', 'opfs'] as const) {
          const disk = await alternate(page, fsStorage(join(dir, `${kind}-${model.bytes}`)), kind, model.bytes, runs)
          rows.push({
            name: `save a ${model.name} model to disk: Chromium ${kind === 'opfs' ? 'OPFS' : 'IndexedDB'} vs Node fsStorage (fsync), for information`,
            subject: `Chromium ${spread(disk.browser)}`,
            baseline: `Node ${spread(disk.node)}`,
            ratio: median(disk.browser) / median(disk.node),
            ratioMeaning: 'Chromium / Node, medians',
          })
        }
      }
    } finally {
      await launched.browser.close()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
    return rows
  },
}

export default section
