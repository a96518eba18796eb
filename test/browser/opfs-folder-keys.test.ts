import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// OPFS, like a file system, cannot hold both "a" and "a/b": such keys are refused as fs refuses them; removing a folder is a no-op.
const browser = await chromiumFor('opfsStorage: keys that collide with folders')

if (browser !== null) {
  it('opfsStorage: a key that collides with a folder is Unsupported (as in fs), removing a folder of keys removes nothing and succeeds', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { opfsStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      const shown = (e: unknown) => (isStorageFailure(e) ? `${e._tag}` : `not a StorageFailure: ${String(e)}`)
      const storage = opfsStorage('collisions')
      await storage.write('d/e', new Uint8Array([1]))
      await storage.write('f', new Uint8Array([2]))
      const outcomes = {
        writeOverFolder: await storage.write('d', new Uint8Array([3])).then(() => 'written', shown),
        writeIntoFile: await storage.write('f/g', new Uint8Array([4])).then(() => 'written', shown),
        removeFolder: await storage.remove('d').then(() => 'removed', shown),
      }
      // No temp file is left behind by the refused writes.
      type Folder = { values(): AsyncIterable<{ name: string; kind: string } & Folder> }
      const names: string[] = []
      const walk = async (folder: Folder, at: string): Promise<void> => {
        for await (const entry of folder.values()) {
          names.push(`${at}${entry.name}`)
          if (entry.kind === 'directory') await walk(entry, `${at}${entry.name}/`)
        }
      }
      const root = await (
        globalThis as unknown as {
          navigator: { storage: { getDirectory(): Promise<{ getDirectoryHandle(n: string): Promise<Folder> }> } }
        }
      ).navigator.storage.getDirectory()
      await walk(await root.getDirectoryHandle('collisions'), '')
      return { ...outcomes, list: await storage.list(), e: [...(await storage.read('d/e'))], entries: names.sort() }
    })
    expect(outcome).toEqual({
      writeOverFolder: 'Unsupported',
      writeIntoFile: 'Unsupported',
      removeFolder: 'removed',
      list: ['d/e', 'f'],
      e: [1],
      entries: ['d', 'd/e', 'f'],
    })
  })
}
