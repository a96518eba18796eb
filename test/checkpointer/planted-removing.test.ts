import { describe, expect, it } from 'vitest'
import { createCheckpointer, encodeIndex, type Entry, type IndexDoc } from '../../src/checkpointer/index.js'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

const bytes = (s: string) => new TextEncoder().encode(s)
const options = { filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet } as const

/** A folder with two checkpoints, whose index's `removing` list is then replaced by `planted`. */
const plantedFolder = async (planted: (live: ReadonlyArray<Entry>) => ReadonlyArray<unknown>): Promise<Storage> => {
  const storage = memoryStorage()
  const c = await createCheckpointer({ storage, ...options })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
  await c.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))
  await c.close()
  const doc = decodeIndex(await storage.read('ckpt-index.json'))
  if (doc._tag === 'Left') throw new Error(doc.left.message)
  const json = JSON.parse(new TextDecoder().decode(encodeIndex(doc.right))) as IndexDoc & { removing: unknown }
  await storage.write('ckpt-index.json', bytes(JSON.stringify({ ...json, removing: planted(doc.right.checkpoints) })))
  return storage
}

const fakeEntry = (key: string, size: number) => ({
  path: key,
  format: 'safetensors',
  epoch: 0,
  step: 0,
  batch: null,
  metrics: {},
  score: null,
  time: 0,
  files: [{ key, size, sha256: `sha256:${'0'.repeat(64)}` }],
  policyState: null,
})

describe("the index's removing list is not trusted blindly", () => {
  it('an entry naming the index itself makes the index corrupt: nothing is deleted, every live entry stays', async () => {
    const storage = await plantedFolder(() => [fakeEntry('ckpt-index.json', 10)])
    const before = [...(await storage.list())].sort()
    const err = await createCheckpointer({ storage, ...options }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptError)
    expect((err as CkptError)._tag).toBe('CorruptIndex')
    expect((err as CkptError).message).toContain('ckpt-index.json')
    expect([...(await storage.list())].sort()).toEqual(before)
  })

  it.each(['../outside.bin', '/etc/passwd', 'a//b', 'x\u0000y'])('an invalid key %j is CorruptIndex, not a blocked open', async (key) => {
    const storage = await plantedFolder(() => [fakeEntry(key, 1)])
    const err = await createCheckpointer({ storage, ...options }).catch((e: unknown) => e)
    expect((err as CkptError)._tag).toBe('CorruptIndex')
  })

  it("a user's file it names, with another size than recorded, is left in place; the live checkpoints stay", async () => {
    const storage = await plantedFolder(() => [fakeEntry('notes.txt', 999)])
    await storage.write('notes.txt', bytes('my notes'))
    const lines: string[] = []
    const c = await createCheckpointer({ storage, ...options, log: (l) => lines.push(l) })
    expect(await storage.read('notes.txt')).toEqual(bytes('my notes'))
    expect((await c.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors'])
    expect(lines.some((l) => l.includes('not removing "notes.txt"'))).toBe(true)
    expect((await c.restore()).entry.path).toBe('e2.safetensors')
    await c.close()
  })
})
