import { createHash } from 'node:crypto'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import type { Tensors } from '../../src/tensors/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tensorOf, type SavesPage } from './pages/saves.js'
import { chromiumFor, openTestPage } from './support/session.js'

// A browser build cuts files into 512 KiB blocks (Web Crypto copies each block before hashing it, and Chromium takes
// copies of that size from memory it reuses), where Node cuts 1 MiB: the index records the size, so Node reads and
// verifies what a page saved, and the block list is the SHA-256 of each 512 KiB, as node:crypto computes it.
const browser = await chromiumFor('what a browser save records')
const KiB = 1024
const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

if (browser !== null) {
  const opened = await openTestPage(browser, new URL('./pages/saves.ts', import.meta.url), { waitFor: 'saves' })
  afterAll(() => opened.close())
  const saveInPage = (n: number) => opened.page.evaluate((k) => (globalThis as unknown as { saves: SavesPage }).saves.saveOne(k), n)

  it.each([
    ['1.2 MB', 300_000],
    ['700 KB, under the 1 MiB block Node writes', 175_000],
  ])('a %s file saved in Chromium has 512 KiB blocks, and Node restores it verified', async (_, n) => {
    const { files, objects } = await saveInPage(n)
    const stored = new Map(Object.entries(objects).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]))
    const file = stored.get('m.safetensors')!
    const list = Buffer.concat(
      Array.from({ length: Math.ceil(file.byteLength / (512 * KiB)) }, (_, i) => sha(file.subarray(i * 512 * KiB, (i + 1) * 512 * KiB))),
    )
    const root = sha(list).toString('hex')
    expect(files).toEqual([
      { key: 'm.safetensors', size: file.byteLength, blocks: { size: 512 * KiB, sha256: `sha256:${root}` } },
      { key: `ckpt-blocks/${root}`, size: list.byteLength, sha256: `sha256:${root}` },
    ])
    expect(Buffer.from(stored.get(`ckpt-blocks/${root}`)!).equals(list)).toBe(true)

    const storage = memoryStorage()
    for (const [k, v] of stored) await storage.write(k, v)
    const c = await createCheckpointer<Tensors, Tensors>({ storage, filepath: 'm.safetensors', monitor: 'loss', log: () => {} })
    expect(await verifyEntry(storage, (await c.latest())!)).toBeNull()
    const restored = (await c.restore('latest')).value
    await c.close()
    expect(Buffer.from(restored['w']!.data.buffer).equals(Buffer.from(tensorOf(n).data.buffer))).toBe(true)
  })
}
