import { appendFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { tempDir, tensorsFor } from '../checkpointer/support.js'

// Before deleting a dropped checkpoint's file, retention checks it is still the one ckpt wrote: the size from
// `stat`, then the SHA-256 of a stream. A file another process appends to between the two must not be read to its
// new end: the stream stops one byte past the recorded size.
const tmp = tempDir()
afterAll(() => tmp.cleanup())
const MiB = 1024 * 1024

describe('retention and a file that grows between its stat and its read', () => {
  it('reads no further than one byte past the recorded size, and leaves the file in place with a warning', async () => {
    const inner = fsStorage(tmp.dir)
    const key = 'e1.safetensors'
    let grow = false
    let streamed = 0
    const storage: Storage = Object.assign(Object.create(inner) as Storage, {
      stat: async (k: string) => {
        const info = await inner.stat(k)
        if (grow && k === key) {
          grow = false
          appendFileSync(join(tmp.dir, key), Buffer.alloc(16 * MiB, 1)) // another process appends, after the stat
        }
        return info
      },
      readStream: async (k: string, range?: ByteRange) => {
        const chunks = await inner.readStream(k, range)
        return (async function* () {
          for await (const c of chunks) {
            if (k === key) streamed += c.byteLength
            yield c
          }
        })()
      },
    })
    const logs: string[] = []
    const c = await createCheckpointer({
      storage,
      filepath: 'e{epoch}.safetensors',
      monitor: 'loss',
      maxToKeep: 1,
      log: (l) => logs.push(l),
    })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    const [first] = await c.list()
    const { size } = first!.files[0]!
    grow = true
    await c.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1)) // retention drops e1
    await c.flush()
    expect(grow, 'the file was stat-ed for removal').toBe(false)
    expect(streamed).toBeLessThanOrEqual(size + 1)
    expect(statSync(join(tmp.dir, key)).size).toBe(size + 16 * MiB)
    expect(logs.filter((l) => l.includes(`not removing "${key}"`))).toHaveLength(1)
    await c.close()
  })
})
