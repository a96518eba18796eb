import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageBackend, PageStorage, Resumed, TfjsPage, Trained } from './pages/tfjs.js'
import { launchProfile } from './support/chromium.js'
import { openPage, profileFor, servePage } from './support/session.js'
import { wasmAssets } from './support/tfjs-assets.js'

// Train → checkpoint → close the browser → relaunch Chromium on the same profile → restoreLatest → finish: the
// weights bit-identical to an uninterrupted run in the same browser. One server throughout: the same origin, so
// the relaunched page sees the first launch's IndexedDB and OPFS.
const TITLE = 'tfjs resume across a Chromium restart'
const FIRST_PART = 2
const TOTAL = 4
const RUNS = (['wasm', 'cpu'] as const).flatMap((backend) =>
  (['indexeddb', 'opfs'] as const).map((storage) => ({ backend, storage }) satisfies { backend: PageBackend; storage: PageStorage }),
)

const tfjs = (page: Page) => ({
  train: (backend: PageBackend, until: number, storage?: { kind: PageStorage; name: string }) =>
    page.evaluate(([b, u, s]) => (globalThis as unknown as { ckptTfjs: TfjsPage }).ckptTfjs.train(b, u, s ?? undefined), [
      backend,
      until,
      storage ?? null,
    ] as const),
  resume: (backend: PageBackend, epochs: number, storage: { kind: PageStorage; name: string }) =>
    page.evaluate(([b, e, s]) => (globalThis as unknown as { ckptTfjs: TfjsPage }).ckptTfjs.resume(b, e, s), [
      backend,
      epochs,
      storage,
    ] as const),
})

const profile = mkdtempSync(join(tmpdir(), 'ckpt-browser-profile-'))
const first = await profileFor(TITLE, profile)

if (first !== null) {
  const server = await servePage(new URL('./pages/tfjs.ts', import.meta.url), wasmAssets(), ['h5wasm'])
  let relaunched: BrowserContext | null = null
  const before = new Map<string, Trained>()
  let page: Page

  beforeAll(async () => {
    // Launch 1: the first part of each run, checkpointed; then the whole browser is closed.
    const opened = await openPage(first, server.origin, { waitFor: 'ckptTfjs' })
    for (const { backend, storage } of RUNS)
      before.set(`${backend}-${storage}`, await tfjs(opened.page).train(backend, FIRST_PART, { kind: storage, name: `restart-${backend}` }))
    await first.close()
    // Launch 2, on the same profile folder.
    relaunched = await launchProfile(profile)
    page = (await openPage(relaunched, server.origin, { waitFor: 'ckptTfjs' })).page
  })
  afterAll(async () => {
    await relaunched?.close()
    await first.close().catch(() => undefined)
    await server.close()
    rmSync(profile, { recursive: true, force: true })
  })

  describe(TITLE, () => {
    for (const { backend, storage } of RUNS)
      it(`${backend}, ${storage}: ${FIRST_PART} epochs, restart, restoreLatest, on to ${TOTAL}: the same bytes as ${TOTAL} epochs without a stop`, async () => {
        const checkpointed = before.get(`${backend}-${storage}`)!
        const resumed: Resumed = await tfjs(page).resume(backend, TOTAL, { kind: storage, name: `restart-${backend}` })
        const straight = await tfjs(page).train(backend, TOTAL)
        expect([checkpointed.backend, resumed.backend, straight.backend]).toEqual([backend, backend, backend])
        expect(resumed.restoredPath).toBe(`epoch_${String(FIRST_PART).padStart(2, '0')}/model.json`)
        expect(resumed.initialEpoch).toBe(FIRST_PART)
        expect(resumed.restored).toEqual(checkpointed.weights)
        expect(resumed.weights).toEqual(straight.weights)
        expect(straight.perEpoch[FIRST_PART - 1]).toEqual(checkpointed.weights)
      })
  })
}
