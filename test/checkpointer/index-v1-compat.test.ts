// Indexes written before format version 2 (everything in ckpt-index.json) still open, list, restore and take saves;
// the first save writes the current version (3: the index file plus segments), and the folder stays whole.
import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY, verifyEntry } from '../../src/checkpointer/index.js'
import { encodeEntry } from '../../src/checkpointer/fast-entries.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

const options = { filepath: 'c/e{epoch}.safetensors', monitor: 'loss', ...quiet } as const

describe('a version-1 index', () => {
  it('opens, lists, restores and ranks as before; the next save converts it to version 3 and keeps every checkpoint', async () => {
    const storage = memoryStorage()
    const writer = await createCheckpointer({ storage, ...options })
    for (let epoch = 0; epoch < 40; epoch++)
      await writer.onEpochEnd({ epoch, logs: { loss: epoch === 7 ? 0.01 : 1 / (epoch + 1) } }, tensorsFor(epoch))
    await writer.close()
    const doc = (await loadIndex(storage))!.doc
    // The folder as an older ckpt left it: one index file, version 1, pretty-printed as it wrote it, no segments.
    const v1 = {
      format: 'ckpt-index',
      version: 1,
      checkpoints: doc.checkpoints.map(encodeEntry),
      replacing: [],
      removing: [],
      policyState: doc.policyState,
      ranking: doc.ranking,
    }
    for (const key of await storage.list(SEGMENT_PREFIX)) await storage.remove(key)
    await storage.write(INDEX_KEY, new TextEncoder().encode(`${JSON.stringify(v1, null, 1)}\n`))

    const reader = await createCheckpointer({ storage, ...options })
    expect((await reader.list()).map((e) => e.path)).toEqual(doc.checkpoints.map((e) => e.path))
    expect((await reader.best())?.path).toBe('c/e8.safetensors')
    expect((await reader.restore('c/e8.safetensors')).value).toEqual(tensorsFor(7))
    expect(reader.state).toEqual(writer.state)
    await reader.onEpochEnd({ epoch: 40, logs: { loss: 0.5 } }, tensorsFor(40))
    await reader.close()

    const head = JSON.parse(new TextDecoder().decode(await storage.read(INDEX_KEY))) as { version: number; segments: unknown[] }
    expect(head.version).toBe(3)
    expect(head.segments.length).toBeGreaterThan(0)
    const again = await createCheckpointer({ storage, ...options })
    const listed = await again.list()
    expect(listed.map((e) => e.path)).toEqual([...doc.checkpoints.map((e) => e.path), 'c/e41.safetensors'])
    for (const e of listed) expect(await verifyEntry(storage, e), e.path).toBeNull()
    expect((await again.restore()).value).toEqual(tensorsFor(40))
    await again.close()
  })
})
