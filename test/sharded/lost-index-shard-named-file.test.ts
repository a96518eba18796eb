/**
 * A lost index is rebuilt with a single-file checkpoint whose name looks like a Hugging Face shard
 * (`model-00001-of-00002.safetensors`, from a filepath such as `model-{epoch:05d}-of-00002.safetensors`), while the
 * shards of a sharded save whose index was never written are still left out.
 */
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors, saveOnce } from './support.js'

let cleanup = () => {}
afterEach(() => cleanup())

describe('a lost index and a single file named as a shard', () => {
  it('rebuilds it, and still leaves out shards without their index', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    await saveOnce(t.dir, { filepath: 'run/model-{epoch:05d}-of-00002.safetensors' }, f32Tensors([200, 200], 1))
    // The first shard of a sharded save whose index was never written.
    await saveOnce(join(t.dir, 'tmp'), { filepath: 'run/model.safetensors', maxShardSize: 1000 }, f32Tensors([200, 200], 2))
    copyFileSync(join(t.dir, 'tmp/run/model-00001-of-00002.safetensors'), join(t.dir, 'run/half-00001-of-00002.safetensors'))
    rmSync(join(t.dir, 'tmp'), { recursive: true })
    rmSync(join(t.dir, 'ckpt-index.json'))
    const ckpt = await createCheckpointer({ storage: fsStorage(t.dir), filepath: 'run/model.safetensors', monitor: 'loss', ...quiet })
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['run/model-00001-of-00002.safetensors'])
    expect((await ckpt.restore()).value).toEqual(f32Tensors([200, 200], 1))
    await ckpt.close()
  })
})
