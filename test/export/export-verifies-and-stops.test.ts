import { describe, expect, it } from 'vitest'
import { exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, trainRun } from './support.js'

/** `storage`, counting the read streams opened and those closed (run to their end, or returned early). */
const counting = (storage: Storage) => {
  const counts = { opened: 0, closed: 0 }
  const wrapped: Storage = {
    ...storage,
    readStream: async (key, range) => {
      const inner = await storage.readStream(key, range)
      counts.opened++
      return (async function* () {
        try {
          yield* inner
        } finally {
          counts.closed++
        }
      })()
    },
  }
  return { storage: wrapped, counts }
}

describe('an export reads through the verifying reader, and stops when its reader stops', () => {
  it('a corrupt file fails the export with CorruptCheckpoint naming it; the bytes sent before are refused by import', async () => {
    const storage = memoryStorage()
    await trainRun(storage, 3, {}, 300_000) // files of several blocks
    const bytes = await storage.read('ckpt/e002.safetensors')
    bytes[bytes.byteLength - 10]! ^= 0xff
    await storage.write('ckpt/e002.safetensors', bytes)
    const sent: Uint8Array[] = []
    const e = await (async () => {
      for await (const c of await exportRun(storage)) sent.push(c)
    })().then(
      () => null,
      (x: unknown) => x,
    )
    expect(CkptError.is(e) && e._tag).toBe('CorruptCheckpoint')
    expect((e as Error).message).toMatch(/checkpoint "ckpt\/e002.safetensors": file "ckpt\/e002.safetensors" fails its checksum/)
    const target = memoryStorage()
    await expect(importCheckpoints(target, sent, quiet)).rejects.toMatchObject({ _tag: 'InvalidArchive' })
    expect(await target.list()).toEqual([])
  })

  it('a consumer that stops early (a cancelled download) closes the file being read', async () => {
    const source = memoryStorage()
    await trainRun(source, 2, {}, 300_000)
    const { storage, counts } = counting(source)
    const archive = await exportRun(storage)
    let n = 0
    for await (const _ of archive) if (++n === 6) break // the manifest's header, data, padding; a file's header, 2 chunks
    expect(counts).toEqual({ opened: 1, closed: 1 })
    const reader = archive.stream().getReader()
    for (let i = 0; i < 6; i++) await reader.read()
    await reader.cancel()
    expect(counts).toEqual({ opened: 2, closed: 2 })
  })
})
