// restore(which, { tensors }) reads the header and those tensors' bytes only (up to block boundaries), on fs by
// positional reads and on S3 by ranged GETs, and still verifies every byte it uses. Counted through a Storage that
// records each read.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from '#fp-ts/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, safetensorsSerializer, type Serializer } from '../../src/checkpointer/index.js'
import { BLOCK_BYTES } from '../../src/checkpointer/blocks.js'
import { HEAD_BYTES } from '../../src/checkpointer/safetensors-head.js'
import { fsStorage } from '../../src/storage/fs.js'
import { s3Storage } from '../../src/storage/s3.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { readFrame } from '../../src/tensors/frame.js'
import type { Tensors } from '../../src/tensors/index.js'
import { motoMissing, startMoto, storageOptions, type S3Server } from '../storage/servers.js'
import { readCounting, tensorsDigest, touchedBlockBytes, wasRead } from './read-counting-storage.js'
import { quiet, tempDir } from './support.js'

const MiB = 1 << 20
const PATH = (epoch: number) => `m/e${epoch}.safetensors`
const options = { filepath: 'm/e{epoch}.safetensors', monitor: 'loss', ...quiet } as const

/** About 14 MiB in six tensors, each word depending on `seed`. */
const model = (seed: number): Tensors => {
  const f32 = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => seed * 1e6 + k * 1e4 + (i % 9973))
  return {
    embed: { dtype: 'F32', shape: [1280, 1024], data: f32(1280 * 1024, 1) },
    w1: { dtype: 'F32', shape: [768, 1024], data: f32(768 * 1024, 2) },
    w2: { dtype: 'F32', shape: [768, 1024], data: f32(768 * 1024, 3) },
    bias: { dtype: 'F32', shape: [4], data: f32(4, 4) },
    head: { dtype: 'F32', shape: [640, 1024], data: f32(640 * 1024, 5) },
    steps: { dtype: 'I32', shape: [3], data: Int32Array.of(seed, seed + 1, seed + 2) },
  }
}

/** Where each tensor's bytes are in the stored file, from its header. */
const layoutOf = async (storage: Storage, key: string): Promise<{ size: number; ranges: Record<string, ByteRange> }> => {
  const bytes = await storage.read(key)
  const frame = readFrame(bytes, bytes.byteLength)
  if (E.isLeft(frame)) throw new Error(frame.left.message)
  const ranges: Record<string, ByteRange> = {}
  for (const t of frame.right.header.tensors)
    ranges[t.name] = { start: frame.right.dataStart + t.begin, end: frame.right.dataStart + t.end }
  return { size: bytes.byteLength, ranges }
}

const pick = (t: Tensors, names: string[]): Tensors => Object.fromEntries(names.map((n) => [n, t[n]!]))

interface Place {
  readonly storage: () => Storage
  /** Flips one bit of the byte at `at` of the stored file `key`. */
  readonly flip: (key: string, at: number) => Promise<void>
}

const moto = motoMissing()
if (moto !== null) console.warn(`[checkpointer] partial restores on S3 are skipped: ${moto}`)

const fsPlace = (): Place & { stop(): Promise<void> } => {
  const { dir, cleanup } = tempDir('ckpt-partial-')
  return {
    stop: async () => cleanup(),
    storage: () => fsStorage(dir),
    flip: async (key, at) => {
      const file = join(dir, key)
      const bytes = readFileSync(file)
      bytes[at]! ^= 1
      writeFileSync(file, bytes)
    },
  }
}

describe.each([
  ['fs (positional reads)', async (): Promise<Place & { stop(): Promise<void> }> => fsPlace()],
  [
    'S3 on moto_server (ranged GETs)',
    async (): Promise<Place & { stop(): Promise<void> }> => {
      const server: S3Server = await startMoto()
      const opts = storageOptions(server)
      const storage = () => s3Storage(opts)
      return {
        storage,
        flip: async (key, at) => {
          const s = storage()
          const bytes = await s.read(key)
          bytes[at]! ^= 1
          await s.write(key, bytes)
        },
        stop: () => server.stop(),
      }
    },
  ],
])('a partial restore on %s', (name, make) => {
  const skip = name.startsWith('S3') && moto !== null
  let place: Place & { stop(): Promise<void> }
  beforeAll(async () => {
    if (skip) return
    place = await make()
    const writer = await createCheckpointer({ storage: place.storage(), ...options })
    for (const epoch of [0, 1]) await writer.onEpochEnd({ epoch, logs: { loss: 1 - epoch / 10 } }, model(epoch))
    await writer.close()
  }, 60_000)
  afterAll(async () => {
    if (!skip) await place.stop()
  })

  it.skipIf(skip)('reads the header and the tensors asked for, rounded to 1 MiB blocks, nothing else; the values are exact', async () => {
    const counted = readCounting(place.storage())
    const ckpt = await createCheckpointer({ storage: counted.storage, ...options })
    const names = ['w2', 'bias', 'steps']
    const r = await ckpt.restore('latest', { tensors: names })
    expect(r.entry.path).toBe(PATH(2))
    expect(Object.keys(r.value).sort()).toEqual([...names].sort())
    expect(tensorsDigest(r.value)).toEqual(tensorsDigest(pick(model(1), names)))
    for (const t of Object.values(r.value)) expect(t.data.buffer.byteLength).toBe(t.data.byteLength)

    const { size, ranges } = await layoutOf(place.storage(), PATH(2))
    const asked = names.map((n) => ranges[n]!)
    const read = counted.bytesOf(PATH(2))
    // The header's block (read once for the header, once more as the start of the run the first tensor is in) and
    // the blocks the tensors touch.
    expect(read).toBeLessThanOrEqual(touchedBlockBytes([{ start: 0, end: HEAD_BYTES }, ...asked], BLOCK_BYTES, size) + BLOCK_BYTES)
    expect(read).toBeGreaterThanOrEqual(asked.reduce((n, a) => n + a.end - a.start, 0))
    expect(read).toBeLessThan(size / 2)
    // The rest of the file was never read: not w1's middle, not embed's.
    for (const other of ['embed', 'w1', 'head']) {
      const o = ranges[other]!
      expect(wasRead(counted.calls, PATH(2), Math.floor((o.start + o.end) / 2)), other).toBe(false)
    }
    await ckpt.close()
  })

  it.skipIf(skip)('a flipped byte inside a tensor asked for is detected; one in a tensor not asked for is not even read', async () => {
    const { ranges } = await layoutOf(place.storage(), PATH(2))
    const outside = ranges.embed!.start + 3 * MiB + 11
    await place.flip(PATH(2), outside)
    const counted = readCounting(place.storage())
    const ckpt = await createCheckpointer({ storage: counted.storage, ...options })
    const r = await ckpt.restore(PATH(2), { tensors: ['w2', 'bias'] })
    expect(tensorsDigest(r.value)).toEqual(tensorsDigest(pick(model(1), ['w2', 'bias'])))
    expect(wasRead(counted.calls, PATH(2), outside)).toBe(false)
    // The whole checkpoint does not verify.
    await expect(ckpt.restore(PATH(2))).rejects.toMatchObject({ _tag: 'CorruptCheckpoint', fallback: PATH(1) })

    const inside = ranges.w2!.start + MiB + 5
    await place.flip(PATH(2), inside)
    await expect(ckpt.restore(PATH(2), { tensors: ['w2'] })).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringContaining('fails its checksum in block'),
    })
    // 'latest' passes over it to the older checkpoint, and says so.
    const older = await ckpt.restore('latest', { tensors: ['w2'] })
    expect(older.entry.path).toBe(PATH(1))
    expect(older.skipped.map((s) => s.path)).toEqual([PATH(2)])
    expect(tensorsDigest(older.value)).toEqual(tensorsDigest(pick(model(0), ['w2'])))
    await ckpt.close()
  })

  it.skipIf(skip)('names the checkpoint lacks are UnknownTensors, listing what it holds, after reading only its header', async () => {
    const counted = readCounting(place.storage())
    const ckpt = await createCheckpointer({ storage: counted.storage, ...options })
    const e = await ckpt.restore(PATH(1), { tensors: ['w1', 'nope', 'nope', 'also/missing'] }).catch((x: unknown) => x)
    expect(e).toMatchObject({
      _tag: 'UnknownTensors',
      path: PATH(1),
      unknown: ['nope', 'also/missing'],
      tensorCount: 6,
      message: expect.stringContaining('has no tensor named "nope", "also/missing"; it has 6 tensors: "'),
    })
    expect([...(e as { available: string[] }).available].sort()).toEqual(Object.keys(model(0)).sort())
    expect(counted.bytesOf(PATH(1))).toBeLessThanOrEqual(BLOCK_BYTES)
    await ckpt.close()
  })
})

describe('partial restore options', () => {
  it('tensors must be a list of names: anything else is a ConfigError naming the option', async () => {
    const { dir, cleanup } = tempDir()
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { a: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) } })
    for (const bad of [{ tensors: 'a' }, { tensors: [1] }, 'a', null])
      await expect(ckpt.restore('latest', bad as never)).rejects.toMatchObject({ _tag: 'ConfigError' })
    await expect(ckpt.restore('latest', { tensors: 'a' } as never)).rejects.toMatchObject({ option: 'tensors' })
    expect(tensorsDigest((await ckpt.restore('latest', { tensors: [] })).value)).toEqual(tensorsDigest({}))
    await ckpt.close()
    cleanup()
  })

  it('a serializer without readTensors refuses a partial restore by name (ConfigError), and restores whole as before', async () => {
    const { dir, cleanup } = tempDir()
    const whole: Serializer<Tensors> = { ...safetensorsSerializer(), readTensors: undefined }
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), serializer: whole, ...options })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { a: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) } })
    await expect(ckpt.restore('latest', { tensors: ['a'] })).rejects.toMatchObject({
      _tag: 'ConfigError',
      option: 'tensors',
      message: expect.stringContaining('restores whole checkpoints only'),
    })
    expect(Object.keys((await ckpt.restore('latest')).value)).toEqual(['a'])
    await ckpt.close()
    cleanup()
  })

  it('a checkpoint of many tensors lists at most 100 of them in UnknownTensors, 10 in its message', async () => {
    const { dir, cleanup } = tempDir()
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options })
    const many: Tensors = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`t${String(i).padStart(3, '0')}`, { dtype: 'U8', shape: [1], data: Uint8Array.of(i) }]),
    )
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, many)
    const e = (await ckpt.restore('latest', { tensors: ['x'] }).catch((x: unknown) => x)) as { available: string[]; message: string }
    expect(e).toMatchObject({ _tag: 'UnknownTensors', tensorCount: 300 })
    expect(e.available).toHaveLength(100)
    expect(e.message).toContain('"t009", … (300 in all)')
    await ckpt.close()
    cleanup()
  })
})
