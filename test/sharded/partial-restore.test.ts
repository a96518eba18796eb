// Sharded checkpoints with block checksums (shards over 1 MiB): a whole restore reads every shard by ranges; a
// partial restore (`restore(which, { tensors })`) reads only the shards the index puts those tensors in, and only
// their blocks. The entry's block lists are ckpt's own files: the shard check must not take them for shards.
import { openSync, readSync, closeSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Tensors } from '../../src/tensors/index.js'
import { readCounting } from '../checkpointer/read-counting-storage.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors } from './support.js'

let cleanup = () => {}
afterEach(() => cleanup())

const MiB = 1 << 20
// Four tensors of 1.5 MiB, a 2 MiB limit: one tensor a shard, four shards, each checked in 1 MiB blocks.
const ELEMENTS = (3 * MiB) / 2 / 4
const SHARDS = ['model-00001-of-00004', 'model-00002-of-00004', 'model-00003-of-00004', 'model-00004-of-00004'].map(
  (s) => `run/e1/${s}.safetensors`,
)

const saved = async (): Promise<{ readonly dir: string; readonly tensors: Tensors }> => {
  const t = tempDir()
  cleanup = t.cleanup
  const tensors = f32Tensors([ELEMENTS, ELEMENTS, ELEMENTS, ELEMENTS])
  const ckpt = await createCheckpointer({
    storage: fsStorage(t.dir),
    filepath: 'run/e{epoch}/model.safetensors',
    monitor: 'loss',
    maxShardSize: 2 * MiB,
    ...quiet,
  })
  await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
  await ckpt.close()
  return { dir: t.dir, tensors }
}

/** Flips one byte of the file at `at`. */
const flipByte = (path: string, at: number): void => {
  const fd = openSync(path, 'r+')
  const b = Buffer.alloc(1)
  readSync(fd, b, 0, 1, at)
  b[0] = b[0]! ^ 0xff
  writeSync(fd, b, 0, 1, at)
  closeSync(fd)
}

describe('a sharded checkpoint with block checksums', { timeout: 180_000 }, () => {
  it('records each shard by blocks, with its block list, and restores whole exactly', async () => {
    const { dir, tensors } = await saved()
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    const [entry] = await ckpt.list()
    const shards = entry!.files.filter((f) => !f.key.startsWith('ckpt-blocks/'))
    expect(shards.map((f) => f.key)).toEqual([...SHARDS, 'run/e1/model.safetensors.index.json'])
    for (const f of shards.slice(0, 4)) expect(f).toHaveProperty('blocks.size', MiB)
    expect(entry!.files.filter((f) => f.key.startsWith('ckpt-blocks/'))).toHaveLength(4)
    expect((await ckpt.restore()).value).toEqual(tensors)
    await ckpt.close()
  })

  it('restores some tensors reading only the shards that hold them, and only their blocks', async () => {
    const { dir, tensors } = await saved()
    const counted = readCounting(fsStorage(dir))
    const ckpt = await createCheckpointer({ storage: counted.storage, filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    counted.calls.length = 0
    const restored = await ckpt.restore('latest', { tensors: ['layers.2.weight'] })
    expect(restored.value).toEqual({ 'layers.2.weight': tensors['layers.2.weight'] })
    expect(counted.bytesOf(SHARDS[0]!) + counted.bytesOf(SHARDS[1]!) + counted.bytesOf(SHARDS[3]!)).toBe(0)
    // The tensor's 1.5 MiB and its header, rounded out to 2 blocks (the header's block read once more).
    expect(counted.bytesOf(SHARDS[2]!)).toBeGreaterThanOrEqual(ELEMENTS * 4)
    expect(counted.bytesOf(SHARDS[2]!)).toBeLessThanOrEqual(3 * MiB)
    await ckpt.close()
  })

  it('a corrupt shard the partial restore does not read goes unnoticed; one it reads is CorruptCheckpoint', async () => {
    const { dir, tensors } = await saved()
    flipByte(join(dir, SHARDS[0]!), 1024 * 1024 + 5)
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    const path = 'run/e1/model.safetensors'
    expect((await ckpt.restore(path, { tensors: ['layers.3.weight'] })).value).toEqual({ 'layers.3.weight': tensors['layers.3.weight'] })
    await expect(ckpt.restore(path, { tensors: ['layers.0.weight'] })).rejects.toMatchObject({ _tag: 'CorruptCheckpoint' })
    await expect(ckpt.restore(path)).rejects.toMatchObject({ _tag: 'CorruptCheckpoint' })
    await ckpt.close()
  })

  it('a name the index does not map is UnknownTensors, and no shard is read', async () => {
    const { dir } = await saved()
    const counted = readCounting(fsStorage(dir))
    const ckpt = await createCheckpointer({ storage: counted.storage, filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    counted.calls.length = 0
    await expect(ckpt.restore('latest', { tensors: ['layers.1.weight', 'nope'] })).rejects.toMatchObject({
      _tag: 'UnknownTensors',
      unknown: ['nope'],
      tensorCount: 4,
    })
    for (const s of SHARDS) expect(counted.bytesOf(s)).toBe(0)
    await ckpt.close()
  })
})
