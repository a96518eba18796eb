import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// A write that stalls (a sleeping laptop, a frozen background tab) may have its stored chunks swept by another storage's opening.
const browser = await chromiumFor('indexedDbStorage: a swept write')

if (browser !== null) {
  it('indexedDbStorage: a write whose stored chunks were swept meanwhile fails, and the previous object stays whole', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { indexedDbStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const writer = indexedDbStorage('swept', { chunkBytes: 1024 })
      const before = new Uint8Array(3000).fill(1)
      await writer.write('k', before)
      let release = () => undefined as void
      const gate = new Promise<void>((resolve) => (release = resolve))
      let stalled = () => undefined as void
      const hasStalled = new Promise<void>((resolve) => (stalled = resolve))
      const data = (async function* () {
        yield new Uint8Array(2048).fill(2) // two chunks stored
        stalled()
        await gate
        yield new Uint8Array(2048).fill(2)
      })()
      const writing = writer.write('k', data).then(
        () => 'resolved',
        (e: unknown) => (isStorageFailure(e) ? e._tag : String(e)),
      )
      await hasStalled
      await new Promise((resolve) => setTimeout(resolve, 20))
      // Another storage on the same database opens, and sweeps writes untouched for 0 ms.
      await indexedDbStorage('swept', { staleWriteAfterMs: 0 }).open()
      release()
      const written = await writing
      const after = await writer.read('k').then(
        (bytes) => (bytes.length === before.length && bytes.every((b) => b === 1) ? 'previous object' : `other bytes (${bytes.length})`),
        (e: unknown) => (isStorageFailure(e) ? `${e._tag}: ${e.message}` : String(e)),
      )
      return { written, after }
    })
    expect(outcome).toEqual({ written: 'IOError', after: 'previous object' })
  })
}
