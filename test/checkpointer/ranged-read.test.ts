// ArtifactReader.readRanges on a file recorded with block checksums: it gives exactly the bytes asked for, each
// range in a buffer of its own, reads only the blocks the ranges touch, and refuses any block that does not match.
// Small (4 KiB) blocks, recorded by hand with node:crypto as the oracle, so that random ranges cross many blocks.
import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verifyingReader } from '../../src/checkpointer/artifact-reader.js'
import type { Entry, FileRecord } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { readCounting, touchedBlockBytes, wasRead } from './read-counting-storage.js'
import { countingReads } from './support.js'

const BLOCK = 4096
const KEY = 'f.bin'
const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

/** `bytes` stored at KEY with its block list, and the entry that records them. */
const stored = async (bytes: Uint8Array, blockSize = BLOCK): Promise<{ storage: Storage; entry: Entry; listKey: string }> => {
  const storage = memoryStorage()
  await storage.write(KEY, bytes)
  const digests: Buffer[] = []
  for (let at = 0; at < bytes.byteLength || digests.length === 0; at += blockSize) digests.push(sha(bytes.subarray(at, at + blockSize)))
  const list = Buffer.concat(digests)
  const root = sha(list).toString('hex')
  const listKey = `ckpt-blocks/${root}`
  await storage.write(listKey, list)
  const files: FileRecord[] = [
    { key: KEY, size: bytes.byteLength, blocks: { size: blockSize, sha256: `sha256:${root}` } },
    { key: listKey, size: list.byteLength, sha256: `sha256:${root}` },
  ]
  return { storage, entry: { path: KEY, files } as unknown as Entry, listKey }
}

/** Disjoint ranges within `size` from sorted cut points: every other gap between them. */
const rangesFrom = (size: number, points: number[], skip: boolean[]): ByteRange[] => {
  const at = [...new Set(points.map((p) => p % (size + 1)))].sort((a, b) => a - b)
  const out: ByteRange[] = []
  for (let i = 0; i + 1 < at.length; i++) if (!skip[i]) out.push({ start: at[i]!, end: at[i + 1]! })
  return out
}

describe('readRanges of a file with block checksums', () => {
  it('gives exactly the bytes of each range, in buffers of their own, reading only the blocks they touch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 * BLOCK + 123 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 14 }),
        fc.array(fc.boolean(), { maxLength: 14 }),
        fc.boolean(),
        async (size, points, skip, shuffle) => {
          const bytes = new Uint8Array(randomBytes(size))
          const { storage, entry } = await stored(bytes)
          const counted = readCounting(storage)
          let ranges = rangesFrom(size, points, skip)
          if (shuffle) ranges = [...ranges].reverse()
          const got = await verifyingReader(counted.storage, entry).readRanges(KEY, ranges)
          expect(got.length).toBe(ranges.length)
          for (const [i, r] of ranges.entries()) {
            expect(Buffer.from(got[i]!).equals(bytes.subarray(r.start, r.end))).toBe(true)
            expect(got[i]!.byteOffset).toBe(0)
            expect(got[i]!.buffer.byteLength).toBe(r.end - r.start)
          }
          expect(counted.bytesOf(KEY)).toBe(touchedBlockBytes(ranges, BLOCK, size))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('a flipped byte inside a block a range touches is a CorruptCheckpoint naming the block; one outside is never read', async () => {
    const bytes = new Uint8Array(randomBytes(40 * BLOCK))
    const { storage, entry } = await stored(bytes)
    const range = { start: 10 * BLOCK + 100, end: 12 * BLOCK + 5 }
    const bad = new Uint8Array(bytes)
    bad[30 * BLOCK + 7]! ^= 1 // far outside
    bad[range.end + 10]! ^= 1 // outside the range, inside block 12, which the range touches
    await storage.write(KEY, bad)
    const counted = readCounting(storage)
    await expect(verifyingReader(counted.storage, entry).readRanges(KEY, [range])).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining(`fails its checksum in block 12 (bytes ${12 * BLOCK} to ${13 * BLOCK})`),
    })
    const far = { start: 0, end: 3 * BLOCK }
    const got = await verifyingReader(counted.storage, entry).readRanges(KEY, [far])
    expect(Buffer.from(got[0]!).equals(bytes.subarray(0, 3 * BLOCK))).toBe(true)
    expect(wasRead(counted.calls, KEY, 30 * BLOCK + 7)).toBe(false)
  })

  it('a truncated file, a missing or altered block list are CorruptCheckpoint', async () => {
    const bytes = new Uint8Array(randomBytes(8 * BLOCK + 1))
    const truncated = await stored(bytes)
    await truncated.storage.write(KEY, bytes.subarray(0, 8 * BLOCK))
    await expect(verifyingReader(truncated.storage, truncated.entry).readRange(KEY, 7 * BLOCK, 8 * BLOCK + 1)).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining('truncated or replaced'),
    })
    const missing = await stored(bytes)
    await missing.storage.remove(missing.listKey)
    await expect(verifyingReader(missing.storage, missing.entry).readRange(KEY, 0, 10)).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining(`the block list "${missing.listKey}" of file "${KEY}" is missing`),
    })
    const altered = await stored(bytes)
    const list = await altered.storage.read(altered.listKey)
    list[0]! ^= 1
    await altered.storage.write(altered.listKey, list)
    await expect(verifyingReader(altered.storage, altered.entry).readRange(KEY, 0, 10)).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining('fails its checksum'),
    })
  })

  it('ranges out of the file or overlapping are refused before anything is read', async () => {
    const { storage, entry } = await stored(new Uint8Array(100))
    const counted = readCounting(storage)
    const reader = verifyingReader(counted.storage, entry)
    for (const ranges of [
      [{ start: 0, end: 101 }],
      [{ start: 5, end: 4 }],
      [
        { start: 0, end: 10 },
        { start: 9, end: 20 },
      ],
      [{ start: 0.5, end: 2 }],
    ])
      await expect(reader.readRanges(KEY, ranges)).rejects.toMatchObject({ _tag: 'StorageFailed', cause: { _tag: 'Unsupported' } })
    expect(counted.calls).toEqual([])
  })
})

describe('readRanges of many small ranges: the reads between whole ranges', () => {
  const MiB = 1 << 20

  // A restore of a model of many small tensors reads the bytes around them in pieces; 4 of 64 MiB at once held 256
  // MiB beyond the tensors (and up to 64 MiB more waiting to be hashed), past the restore's N + 256 MiB.
  it('holds at most 4 pieces of 16 MiB in flight for 1,600 ranges of 64 KiB over 100 MiB', async () => {
    const bytes = new Uint8Array(100 * MiB)
    for (let i = 0; i < bytes.byteLength; i += 4096) bytes[i] = i / 4096
    const { storage, entry } = await stored(bytes, MiB)
    const counted = countingReads(storage, new Map([[KEY, bytes.byteLength]]))
    const ranges = Array.from({ length: 1600 }, (_, i) => ({ start: i * 65536, end: (i + 1) * 65536 }))
    const got = await verifyingReader(counted.storage, entry).readRanges(KEY, ranges)
    for (const i of [0, 1234, 1599]) expect(Buffer.from(got[i]!).equals(bytes.subarray(i * 65536, (i + 1) * 65536))).toBe(true)
    expect(counted.most()).toBeLessThanOrEqual(4 * 16 * MiB)
  })

  it('a block larger than one piece (32 MiB, as a hand-written index may record) is read whole, and checked', async () => {
    const bytes = new Uint8Array(randomBytes(70 * MiB))
    const { storage, entry } = await stored(bytes, 32 * MiB)
    const ranges = [
      { start: 5, end: 70 },
      { start: 40 * MiB, end: 40 * MiB + 3 },
      { start: 70 * MiB - 2, end: 70 * MiB },
    ]
    const got = await verifyingReader(storage, entry).readRanges(KEY, ranges)
    for (const [i, r] of ranges.entries()) expect(Buffer.from(got[i]!).equals(bytes.subarray(r.start, r.end))).toBe(true)
  })
})

describe('readRanges of a file recorded with one SHA-256 (before block checksums)', () => {
  it('reads and checks the file whole, keeping only the ranges', async () => {
    const bytes = new Uint8Array(randomBytes(5 * BLOCK))
    const storage = memoryStorage()
    await storage.write(KEY, bytes)
    const entry = {
      path: KEY,
      files: [{ key: KEY, size: bytes.byteLength, sha256: `sha256:${sha(bytes).toString('hex')}` }],
    } as unknown as Entry
    const counted = readCounting(storage)
    const got = await verifyingReader(counted.storage, entry).readRanges(KEY, [{ start: 3, end: 9 }])
    expect(Buffer.from(got[0]!).equals(bytes.subarray(3, 9))).toBe(true)
    expect(counted.bytesOf(KEY)).toBe(bytes.byteLength)
    bytes[4 * BLOCK]! ^= 1
    await storage.write(KEY, bytes)
    await expect(verifyingReader(storage, entry).readRanges(KEY, [{ start: 3, end: 9 }])).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
    })
  })
})
