/**
 * A lost index is rebuilt from the files: a sharded checkpoint is found as one entry (its shards and its index),
 * by a writer and by the readers (the CLI's scan); shards without their index, shards of two saves, and Python's own
 * folders (no ckpt entry data) are not checkpoints.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { readIndex } from '../../src/cli/index-reader.js'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { encodeSafetensorsOrThrow } from '../../src/tensors/index.js'
import { planShards, shardIndexJson } from '../../src/tensors/shard-plan.js'
import { tempDir } from '../checkpointer/support.js'
import { concat } from '../tensors/arbitraries.js'
import { f32Tensors, saveOnce } from './support.js'

const options = { filepath: 'run/e{epoch}/model.safetensors', maxShardSize: 1000 } as const
const SIZES = [100, 100, 200, 100] // three shards
let cleanup = () => {}
afterEach(() => cleanup())

/** Two sharded checkpoints (e1, e2), a folder Python could have written, and the shards of a save cut short; no index. */
const lostIndexFolder = async (): Promise<string> => {
  const t = tempDir()
  cleanup = t.cleanup
  for (const epoch of [0, 1]) await saveOnce(t.dir, options, f32Tensors(SIZES, epoch), epoch)
  // Shards and an index as Python writes them, without ckpt's entry data: not ckpt's.
  const plan = planShards(
    [
      ['x', 800],
      ['y', 800],
    ],
    1000,
    'model.safetensors',
  )
  mkdirSync(join(t.dir, 'hf'))
  for (const s of plan.shards)
    writeFileSync(
      join(t.dir, 'hf', s.file),
      concat(
        encodeSafetensorsOrThrow(Object.fromEntries(s.names.map((n) => [n, f32Tensors([200])['layers.0.weight']!])), { format: 'pt' }),
      ),
    )
  writeFileSync(join(t.dir, 'hf/model.safetensors.index.json'), shardIndexJson(plan))
  await saveOnce(join(t.dir, 'tmp'), options, f32Tensors(SIZES, 5), 4)
  // The first two shards of a save whose index was never written.
  mkdirSync(join(t.dir, 'run/e9'))
  for (const f of ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors'])
    copyFileSync(join(t.dir, 'tmp/run/e5', f), join(t.dir, 'run/e9', f))
  rmSync(join(t.dir, 'tmp'), { recursive: true })
  rmSync(join(t.dir, 'ckpt-index.json'))
  return t.dir
}

const SHARDED = [
  'model-00001-of-00003.safetensors',
  'model-00002-of-00003.safetensors',
  'model-00003-of-00003.safetensors',
  'model.safetensors.index.json',
]

describe('a lost index with sharded checkpoints', () => {
  it('a writer rebuilds it with each sharded checkpoint as one entry, which restores', async () => {
    const dir = await lostIndexFolder()
    const storage = fsStorage(dir)
    const ckpt = await createCheckpointer({ storage, ...options, monitor: 'loss', log: () => {} })
    const entries = await ckpt.list()
    expect(entries.map((e) => e.path)).toEqual(['run/e1/model.safetensors', 'run/e2/model.safetensors'])
    for (const e of entries) {
      expect(e.files.map((f) => f.key)).toEqual(SHARDED.map((f) => `${e.path.slice(0, -'model.safetensors'.length)}${f}`))
      expect(await verifyEntry(storage, e)).toBeNull()
    }
    expect((await ckpt.restore()).value).toEqual(f32Tensors(SIZES, 1))
    await ckpt.close()
  })

  it('the readers (ckpt ls, verify) rebuild it in memory the same way', async () => {
    const dir = await lostIndexFolder()
    const read = await readIndex({ storage: fsStorage(dir), display: dir })
    if (E.isLeft(read)) throw new Error(read.left.message)
    expect(read.right.rebuilt).toContain('rebuilt it in memory from 2 checkpoint(s)')
    expect(read.right.doc.checkpoints.map((e) => [e.path, e.files.length])).toEqual([
      ['run/e1/model.safetensors', 4],
      ['run/e2/model.safetensors', 4],
    ])
  })

  it('shards of two saves under one index (an overwrite cut short) are not a checkpoint', async () => {
    const dir = await lostIndexFolder()
    const other = tempDir()
    await saveOnce(other.dir, options, f32Tensors(SIZES, 7), 1)
    copyFileSync(join(other.dir, 'run/e2/model-00002-of-00003.safetensors'), join(dir, 'run/e2/model-00002-of-00003.safetensors'))
    other.cleanup()
    const ckpt = await createCheckpointer({ storage: fsStorage(dir), ...options, monitor: 'loss', log: () => {} })
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['run/e1/model.safetensors'])
    await ckpt.close()
  })

  it('of a single file and a sharded checkpoint at one path (an overwrite cut short before its cleanup), the newer is kept, by the readers and by a writer', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const other = tempDir()
    const fixed = { filepath: 'best/model.safetensors', maxShardSize: 1000 } as const
    await saveOnce(other.dir, fixed, f32Tensors([100], 0), 0) // fits: one file
    await saveOnce(t.dir, fixed, f32Tensors(SIZES, 1), 1) // sharded, newer
    copyFileSync(join(other.dir, 'best/model.safetensors'), join(t.dir, 'best/model.safetensors'))
    other.cleanup()
    rmSync(join(t.dir, 'ckpt-index.json'))
    const read = await readIndex({ storage: fsStorage(t.dir), display: t.dir })
    if (E.isLeft(read)) throw new Error(read.left.message)
    expect(read.right.doc.checkpoints.map((e) => [e.path, e.epoch, e.files.length])).toEqual([['best/model.safetensors', 1, 4]])
    const ckpt = await createCheckpointer({ storage: fsStorage(t.dir), ...fixed, monitor: 'loss', log: () => {} })
    const entries = await ckpt.list()
    expect(entries.map((e) => [e.path, e.epoch, e.files.length])).toEqual([['best/model.safetensors', 1, 4]])
    expect((await ckpt.restore()).value).toEqual(f32Tensors(SIZES, 1))
    await ckpt.close()
  })
})
