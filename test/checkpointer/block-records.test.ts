// What a save records: one SHA-256 for a file of at most one block, block checksums for a larger one, with its block
// list written as a file of the checkpoint (named by its SHA-256), an index record whose size does not grow with the
// file, and lists shared by byte-identical files kept while any checkpoint using them lives.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeEntry } from '../../src/checkpointer/fast-entries.js'
import { createCheckpointer, encodeIndex, verifyEntry, type Entry, type Serializer } from '../../src/checkpointer/index.js'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'
import { quiet } from './support.js'

const MiB = 1 << 20
const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

const ofBytes = (n: number, seed = 1): Tensors => ({
  w: { dtype: 'U8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255) },
})

const saveOne = async (storage: Storage, tensors: Tensors, extra = {}) => {
  const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet, ...extra })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
  const entry = (await c.latest())!
  await c.close()
  return entry
}

describe('file records', () => {
  it('a file of at most 1 MiB gets its SHA-256, as before; nothing else is written', async () => {
    const storage = memoryStorage()
    const entry = await saveOne(storage, ofBytes(MiB - 1000))
    const file = await storage.read(entry.path)
    expect(file.byteLength).toBeLessThanOrEqual(MiB)
    expect(entry.files).toEqual([{ key: entry.path, size: file.byteLength, sha256: `sha256:${sha(file).toString('hex')}` }])
    expect(await storage.list('ckpt-blocks/')).toEqual([])
  })

  it('a larger file gets block checksums: its list holds the SHA-256 of each 1 MiB block, and is named by its own', async () => {
    const storage = memoryStorage()
    const entry = await saveOne(storage, ofBytes(5 * MiB + 3))
    const file = await storage.read(entry.path)
    const blocks: Buffer[] = []
    for (let at = 0; at < file.byteLength; at += MiB) blocks.push(sha(file.subarray(at, at + MiB)))
    const list = Buffer.concat(blocks)
    const root = sha(list).toString('hex')
    expect(entry.files).toEqual([
      { key: entry.path, size: file.byteLength, blocks: { size: MiB, sha256: `sha256:${root}` } },
      { key: `ckpt-blocks/${root}`, size: 6 * 32, sha256: `sha256:${root}` },
    ])
    expect(Buffer.from(await storage.read(`ckpt-blocks/${root}`)).equals(list)).toBe(true)
  })

  it('an index entry is as long for a 48 MiB file as for a 2 MiB one (the digests are in the list, not the index)', async () => {
    const small = await saveOne(memoryStorage(), ofBytes(2 * MiB))
    const large = await saveOne(memoryStorage(), ofBytes(48 * MiB))
    const length = (e: Entry) => JSON.stringify(encodeEntry({ ...e, time: 0 })).length
    // Only the digits of the sizes differ.
    expect(Math.abs(length(large) - length(small))).toBeLessThanOrEqual(6)
  })

  it('records with both forms, or blocks out of bounds, are a CorruptIndex', async () => {
    const storage = memoryStorage()
    const entry = await saveOne(storage, ofBytes(3 * MiB))
    const doc = { checkpoints: [entry], replacing: [], removing: [], policyState: null, format: 'ckpt-index', version: 3 } as const
    const withFile = (file: object) => encodeIndex({ ...doc, checkpoints: [{ ...entry, files: [file] as never }] })
    const data = entry.files[0]! as { key: string; size: number; blocks: { size: number; sha256: string } }
    expect(decodeIndex(encodeIndex(doc))._tag).toBe('Right')
    for (const bad of [
      { ...data, sha256: data.blocks.sha256 },
      { ...data, blocks: { ...data.blocks, size: 4095 } },
      { ...data, blocks: { ...data.blocks, size: 64 * MiB + 1 } },
      { ...data, blocks: { size: MiB } },
      { ...data, size: 2 ** 21 * 4096 + 1, blocks: { ...data.blocks, size: 4096 } },
      { key: data.key, size: data.size },
    ])
      expect(decodeIndex(withFile(bad)), JSON.stringify(bad)).toMatchObject({ _tag: 'Left', left: { _tag: 'CorruptIndex' } })
  })
})

/** Writes a checkpoint as the raw bytes of one array: saves of the same bytes make byte-identical files (as tfjs weight shards can be). */
const raw: Serializer<Uint8Array> = {
  format: 'raw',
  capture: (s) => s,
  write: async (writer, path, bytes) => void (await writer.writeFile(path, bytes)),
  read: (reader, path) => reader.readFile(path),
}
const bytesOf = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)
const lists = (storage: Storage) => storage.list('ckpt-blocks/')

describe('block lists shared by identical files', () => {
  const open = (storage: Storage, extra: object) =>
    createCheckpointer<Uint8Array>({ storage, serializer: raw, filepath: 'e{epoch}.bin', monitor: 'loss', ...quiet, ...extra })

  it('retention keeps a list while a live checkpoint uses it (maxToKeep: 1, the same bytes at every save)', async () => {
    const storage = memoryStorage()
    const c = await open(storage, { maxToKeep: 1 })
    for (let epoch = 0; epoch < 4; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 4 - epoch } }, bytesOf(3 * MiB, 1))
    await c.flush()
    const [only] = await c.list()
    expect(only!.path).toBe('e4.bin')
    expect(await lists(storage)).toHaveLength(1)
    expect(await verifyEntry(storage, only!)).toBeNull()
    expect((await c.restore()).value.byteLength).toBe(3 * MiB)
    await c.close()
  })

  it("an overwrite in place keeps the replaced version's list while another checkpoint still uses it", async () => {
    const storage = memoryStorage()
    const c = await open(storage, { filepath: 'm{tag:.0f}.bin' })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 3, tag: 1 } }, bytesOf(3 * MiB, 1))
    await c.onEpochEnd({ epoch: 1, logs: { loss: 2, tag: 2 } }, bytesOf(3 * MiB, 1)) // the same bytes: m1 and m2 share a list
    expect(await lists(storage)).toHaveLength(1)
    await c.onEpochEnd({ epoch: 2, logs: { loss: 1, tag: 2 } }, bytesOf(3 * MiB, 2)) // m2 overwritten with other bytes
    await c.flush()
    expect(await lists(storage)).toHaveLength(2)
    const m1 = (await c.list()).find((e) => e.path === 'm1.bin')!
    expect(await verifyEntry(storage, m1)).toBeNull()
    expect((await c.restore('m1.bin')).value.byteLength).toBe(3 * MiB)
    await c.close()
  })

  it('an overwrite in place with the same bytes keeps the list; with other bytes it swaps it', async () => {
    const storage = memoryStorage()
    const c = await open(storage, { filepath: 'best.bin', saveBestOnly: true })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 3 } }, bytesOf(3 * MiB, 1))
    await c.onEpochEnd({ epoch: 1, logs: { loss: 2 } }, bytesOf(3 * MiB, 1))
    await c.flush()
    const before = await lists(storage)
    expect(before).toHaveLength(1)
    expect(await verifyEntry(storage, (await c.latest())!)).toBeNull()
    await c.onEpochEnd({ epoch: 2, logs: { loss: 1 } }, bytesOf(3 * MiB, 2))
    await c.flush()
    const after = await lists(storage)
    expect(after).toHaveLength(1)
    expect(after[0]).not.toBe(before[0])
    expect(await verifyEntry(storage, (await c.latest())!)).toBeNull()
    await c.close()
  })
})
