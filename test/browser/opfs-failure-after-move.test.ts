import { expect, it } from 'vitest'
import type { PageAdapters } from './pages/adapters.js'
import { inAdaptersPage } from './support/adapters-page.js'
import { chromiumFor } from './support/session.js'

// After a successful `move`, a file handle takes its new name: a write that failed after moving its temp file into
// place, then removed "its temp file" by the handle's name, removed the object it had just committed.
const browser = await chromiumFor('opfsStorage: a failure after the move')

if (browser !== null) {
  it('opfsStorage: a write failing after its temp file was moved into place leaves the new object there, and no temp file', async () => {
    const outcome = await inAdaptersPage(browser, async () => {
      const { opfsStorage, isStorageFailure } = (globalThis as unknown as { ckpt: PageAdapters }).ckpt
      interface Handle {
        readonly kind: string
        readonly name: string
        move: (this: Handle, ...args: unknown[]) => Promise<void>
        getFile: (this: Handle) => Promise<unknown>
        values(): AsyncIterable<Handle>
        getDirectoryHandle(name: string): Promise<Handle>
      }
      const global = globalThis as unknown as {
        FileSystemFileHandle: { prototype: Handle }
        navigator: { storage: { getDirectory(): Promise<Handle> } }
      }
      const storage = opfsStorage('after-move')
      await storage.write('k', new Uint8Array([1, 1, 1]))
      // The fault: the first `getFile` after a move fails, as a browser shutting down or a removal by other code would.
      const proto = global.FileSystemFileHandle.prototype
      const { move, getFile } = proto
      let armed = false
      proto.move = async function (this: Handle, ...args: unknown[]) {
        await move.apply(this, args)
        armed = true
      }
      proto.getFile = function (this: Handle) {
        if (!armed) return getFile.call(this)
        armed = false
        return Promise.reject(new DOMException('injected after the move', 'NotReadableError'))
      }
      let written: string
      try {
        written = await storage.write('k', new Uint8Array([2, 2, 2])).then(
          () => 'resolved',
          (e: unknown) => (isStorageFailure(e) ? e._tag : String(e)),
        )
      } finally {
        proto.move = move
        proto.getFile = getFile
      }
      const read = await storage.read('k').then(
        (bytes) => Array.from(bytes).join(','),
        (e: unknown) => (isStorageFailure(e) ? e._tag : String(e)),
      )
      const folder = await (await global.navigator.storage.getDirectory()).getDirectoryHandle('after-move')
      const names: string[] = []
      for await (const entry of folder.values()) names.push(entry.name)
      return { written, read, names }
    })
    // The failure is reported, and the new object is in place, whole (as after a lost answer from S3).
    expect(outcome).toEqual({ written: 'IOError', read: '2,2,2', names: ['k'] })
  })
}
