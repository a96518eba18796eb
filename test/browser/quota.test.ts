import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { openAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// A quota too small for the second write: the origin's quota set through the DevTools protocol, as a full disk would be.
const browser = await chromiumFor('browser storage quota')
const MiB = 1024 * 1024

if (browser !== null) {
  for (const adapter of ['indexedDbStorage', 'opfsStorage'] as const) {
    it(`${adapter}: a write past the origin's quota fails with QuotaExceeded, and the objects stored before stay whole`, async () => {
      const { page, origin, close } = await openAdaptersPage(browser)
      try {
        const cdp = await page.context().newCDPSession(page)
        await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 8 * MiB })
        const outcome = await page.evaluate(
          async ([name, mib]) => {
            const { indexedDbStorage, opfsStorage, isStorageFailure, storageManager, idbRecords } = (
              globalThis as unknown as { ckpt: PageAdapters }
            ).ckpt
            const storage = name === 'indexedDbStorage' ? indexedDbStorage('quota') : opfsStorage('quota')
            const before = new Uint8Array(mib).map((_, i) => (i * 7919) % 251)
            const kept = await storage.write('kept.bin', before)
            // Random bytes: IndexedDB compresses what it stores, and a repeated byte would fit any quota.
            const chunks = function* () {
              for (let i = 0; i < 32; i++) {
                const chunk = new Uint8Array(mib)
                for (let at = 0; at < mib; at += 65536) crypto.getRandomValues(chunk.subarray(at, at + 65536))
                yield chunk
              }
            }
            const failure: unknown = await storage.write('big.bin', chunks()).then(
              () => null,
              (e: unknown) => e,
            )
            const after = await storage.read('kept.bin')
            const estimate = await storageManager().estimate()
            // IndexedDB: the records left in the database itself (Chromium 150's usage figure keeps a deleted record's
            // space, see docs/storage.md).
            const records = name === 'indexedDbStorage' ? await idbRecords('quota') : null
            return {
              records,
              failed: isStorageFailure(failure) ? { tag: failure._tag, key: failure.key, message: failure.message } : String(failure),
              keptIntact: after.length === before.length && after.every((b, i) => b === before[i]),
              stat: await storage.stat('kept.bin'),
              kept,
              list: await storage.list(),
              usage: estimate.usage ?? -1,
            }
          },
          [adapter, MiB] as const,
        )
        expect(outcome.failed).toMatchObject({ tag: 'QuotaExceeded', key: 'big.bin', message: expect.stringContaining('quota') })
        expect(outcome.keptIntact).toBe(true)
        expect(outcome.stat).toEqual(outcome.kept)
        expect(outcome.list).toEqual(['kept.bin'])
        // The refused write's partial data was removed: only kept.bin's chunks are left, and no pending write
        // (IndexedDB); well under the quota again (OPFS).
        if (adapter === 'indexedDbStorage') expect(outcome.records).toEqual({ chunkVersions: 1, pending: 0 })
        else expect(outcome.usage).toBeLessThan(6 * MiB)
      } finally {
        await close()
      }
    })
  }
}
