import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { openAdaptersPage } from './support/adapters-page.js'
import { profileFor } from './support/session.js'

// OPFS etags are a file's modification time and size; a commit waited for the clock to pass the current file's
// time. A file written while the clock was ahead (then set back by NTP, or a VM restored) held every later write
// of its key, and the key's Web Lock, until the clock caught up. Here the file's time is moved 30 days ahead on
// disk, in the profile's OPFS folder, as such a clock would have left it.
const TITLE = 'opfsStorage: a clock set back'
const profile = mkdtempSync(join(tmpdir(), 'ckpt-opfs-clock-'))
const context = await profileFor(TITLE, profile)
afterAll(() => rmSync(profile, { recursive: true, force: true }))

/** The file below `dir` that holds exactly `bytes`. */
const fileHolding = (dir: string, bytes: Buffer): string | null => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const found = fileHolding(path, bytes)
      if (found !== null) return found
    } else if (entry.isFile() && statSync(path).size === bytes.length && readFileSync(path).equals(bytes)) return path
  }
  return null
}

if (context !== null) {
  afterAll(() => context.close())

  it('opfsStorage: a write over a file dated in the future (a clock set back) commits at once, with a new etag', async () => {
    const { page, close } = await openAdaptersPage(context)
    try {
      const marker = Buffer.from(crypto.getRandomValues(new Uint8Array(64)))
      const written = await page.evaluate(async (bytes) => {
        const { opfsStorage } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
        return opfsStorage('clock').write('k', new Uint8Array(bytes))
      }, Array.from(marker))
      const path = fileHolding(profile, marker)
      expect(path, 'the object written, in the profile folder').not.toBeNull()
      const ahead = (Date.now() + 30 * 24 * 3_600_000) / 1000
      utimesSync(path!, ahead, ahead)

      const outcome = await page.evaluate(async () => {
        const { opfsStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
        const storage = opfsStorage('clock')
        const before = (await storage.stat('k'))!
        // Without the bound on the wait this write waits 30 days: 30 s is the sign of it, on a loaded machine too.
        const write = storage.write('k', new Uint8Array(64).fill(7)) // the same size: only the time tells versions apart
        const outcome = await Promise.race([
          write,
          new Promise<string>((resolve) => setTimeout(resolve, 30_000, 'still waiting after 30 s')),
        ])
        if (typeof outcome === 'string') return { before, outcome }
        const stale = await storage.write('k', new Uint8Array([1]), { ifMatch: before.etag }).then(
          () => 'replaced',
          (e: unknown) => (isStorageFailure(e) ? e._tag : String(e)),
        )
        const bytes = await storage.read('k')
        return { before, outcome, stat: await storage.stat('k'), stale, sevens: bytes.length === 64 && bytes.every((b) => b === 7) }
      })
      expect(outcome.before.etag).not.toBe(written.etag) // the file's time was moved
      expect(outcome.outcome).toBeTypeOf('object')
      expect(outcome).toMatchObject({ stat: outcome.outcome, stale: 'PreconditionFailed', sevens: true })
      expect(outcome.outcome).not.toEqual(outcome.before)
    } finally {
      await close()
    }
  }, 120_000)
}
