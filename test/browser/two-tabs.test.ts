import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { chromiumFor, openTestPage } from './support/session.js'

// Two pages of one origin are two tabs: separate JavaScript, one IndexedDB and one OPFS, Web Locks shared.
const browser = await chromiumFor('browser storage across tabs')
const entry = new URL('./pages/adapters.ts', import.meta.url)

type Adapter = 'indexedDbStorage' | 'opfsStorage'

if (browser !== null) {
  for (const adapter of ['indexedDbStorage', 'opfsStorage'] as const) {
    it(`${adapter}: two tabs racing the same conditional writes never both win`, async () => {
      const context = await browser.newContext()
      const tabs = await Promise.all([
        openTestPage(context, entry, { waitForTests: false }),
        openTestPage(context, entry, { waitForTests: false }),
      ])
      try {
        // One origin for both: the second tab loads the first tab's server.
        await tabs[1].page.goto(`${tabs[0].origin}/`)
        await Promise.all(tabs.map((t) => t.page.waitForFunction(() => 'ckpt' in globalThis)))
        const race = ([name, tab]: readonly [Adapter, number]) =>
          (async () => {
            const { indexedDbStorage, opfsStorage } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
            const storage = name === 'indexedDbStorage' ? indexedDbStorage('tabs') : opfsStorage('tabs')
            const won: string[] = []
            for (let i = 0; i < 20; i++) {
              const bytes = new Uint8Array(4096).fill(tab)
              if (
                await storage.write(`created-${i}`, bytes, { ifAbsent: true }).then(
                  () => true,
                  () => false,
                )
              )
                won.push(`created-${i}`)
              // Each tab replaces `counter` only from the version it read: a lost update would lose an increment.
              for (;;) {
                const info = await storage.stat('counter')
                const value = info === null ? 0 : new DataView((await storage.read('counter')).buffer).getUint32(0)
                const next = new Uint8Array(4)
                new DataView(next.buffer).setUint32(0, value + 1)
                const options = info === null ? { ifAbsent: true } : { ifMatch: info.etag }
                if (
                  await storage.write('counter', next, options).then(
                    () => true,
                    () => false,
                  )
                )
                  break
              }
            }
            return won
          })()
        const [a, b] = await Promise.all(tabs.map((t, i) => t.page.evaluate(race, [adapter, i + 1] as const)))
        expect([...a!, ...b!].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `created-${i}`).sort())
        const counter = await tabs[0].page.evaluate(async (name: Adapter) => {
          const { indexedDbStorage, opfsStorage } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
          const storage = name === 'indexedDbStorage' ? indexedDbStorage('tabs') : opfsStorage('tabs')
          return new DataView((await storage.read('counter')).buffer).getUint32(0)
        }, adapter)
        expect(counter).toBe(40)
      } finally {
        await Promise.all(tabs.map((t) => t.close()))
        await context.close()
      }
    })
  }

  it('both adapters list keys past U+FFFF in UTF-8 byte order; a stream of a replaced object fails; requestPersistence answers', async () => {
    const { page, close } = await openTestPage(browser, entry, { waitForTests: false })
    try {
      await page.waitForFunction(() => 'ckpt' in globalThis)
      const outcome = await page.evaluate(async () => {
        const { indexedDbStorage, opfsStorage, requestPersistence, isStorageFailure, storageManager } = (
          globalThis as unknown as { ckpt: PageAdapters }
        ).ckpt
        const results: Record<string, unknown> = {}
        for (const [name, storage] of [
          ['indexeddb', indexedDbStorage('order', { chunkBytes: 1024 })],
          ['opfs', opfsStorage('order', { streamChunkBytes: 1024 })],
        ] as const) {
          // UTF-16 puts U+1F600 (surrogates D83D DE00) before U+FF5E; UTF-8 (F0 9F 98 80 vs EF BD 9E) after.
          for (const key of ['\uff5e', '\u{1f600}', 'a', 'z\u{1f600}', 'z\uff5e']) await storage.write(key, new Uint8Array([1]))
          const big = new Uint8Array(64 * 1024).fill(1)
          await storage.write('big', big)
          const stream = (await storage.readStream('big'))[Symbol.asyncIterator]()
          await stream.next()
          await storage.write('big', new Uint8Array(64 * 1024).fill(2))
          let streamFailure: unknown = null
          try {
            while (!(await stream.next()).done);
          } catch (e) {
            streamFailure = isStorageFailure(e) ? e._tag : String(e)
          }
          results[name] = { list: await storage.list(), zList: await storage.list('z'), streamFailure }
        }
        const persisted = await requestPersistence()
        results['persistence'] = { returned: persisted, persisted: await storageManager().persisted() }
        return results
      })
      // UTF-8 byte order; IndexedDB's own (UTF-16) order would put each U+1F600 key before its U+FF5E neighbour.
      const byteOrder = ['a', 'big', 'z\uff5e', 'z\u{1f600}', '\uff5e', '\u{1f600}']
      for (const name of ['indexeddb', 'opfs'])
        expect(outcome[name]).toEqual({ list: byteOrder, zList: ['z\uff5e', 'z\u{1f600}'], streamFailure: 'IOError' })
      const { returned, persisted } = outcome['persistence'] as { returned: boolean; persisted: boolean }
      expect(returned).toBe(persisted)
    } finally {
      await close()
    }
  })
}
