import { afterAll, expect, it } from 'vitest'
import type { PageBackend, TfjsPage } from './pages/tfjs.js'
import { chromiumFor, openTestPage } from './support/session.js'
import { wasmAssets } from './support/tfjs-assets.js'

// modelCheckpoint and restoreLatest in Chromium, per tfjs backend: 2 epochs checkpointed to IndexedDB, the latest
// checkpoint restored in the same page, trained on to 3; the bytes against the epoch's weights and an uninterrupted run.
const browser = await chromiumFor('tfjs in Chromium')

if (browser !== null) {
  const opened = await openTestPage(browser, new URL('./pages/tfjs.ts', import.meta.url), {
    assets: wasmAssets(),
    waitFor: 'ckptTfjs',
    external: ['h5wasm'], // Keras's HDF5 reader, loaded on demand: not in this page
  })
  afterAll(() => opened.close())
  const { page } = opened

  for (const backend of ['wasm', 'cpu', 'webgl'] as const satisfies ReadonlyArray<PageBackend>) {
    it(`${backend}: restoreLatest from IndexedDB gives the checkpointed weights, and training on matches an uninterrupted run byte for byte`, async (ctx) => {
      const ready = await page.evaluate((b) => (globalThis as unknown as { ckptTfjs: TfjsPage }).ckptTfjs.activate(b), backend)
      if (!ready.ok) {
        // Printed, and reported as skipped with the reason: never a silent pass.
        console.warn(`[browser] tfjs ${backend}: skipped: ${ready.reason}`)
        ctx.skip(`${backend} unavailable in this Chromium: ${ready.reason}`)
        return
      }
      const outcome = await page.evaluate(async (b) => {
        const { train, resume } = (globalThis as unknown as { ckptTfjs: TfjsPage }).ckptTfjs
        const storage = { kind: 'indexeddb', name: `backends-${b}` } as const
        const first = await train(b, 2, storage)
        const resumed = await resume(b, 3, storage)
        const straight = await train(b, 3)
        return { first, resumed, straight }
      }, backend)
      expect(outcome.first.backend).toBe(backend)
      expect(outcome.resumed.backend).toBe(backend)
      expect(outcome.resumed.restoredPath).toBe('epoch_02/model.json')
      expect(outcome.resumed.initialEpoch).toBe(2)
      expect(outcome.resumed.restored).toEqual(outcome.first.perEpoch[1])
      expect(outcome.resumed.restored).toEqual(outcome.first.weights)
      expect(outcome.resumed.weights).toEqual(outcome.straight.weights)
      // The run did train: the weights moved.
      expect(outcome.straight.weights).not.toEqual(outcome.first.weights)
    })
  }
}
