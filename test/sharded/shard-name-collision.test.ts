/**
 * A sharded save never writes over a file of another live checkpoint: a folder that already holds a single-file
 * checkpoint named as a shard (`model-00001-of-00002.safetensors`, e.g. from an earlier run with another filepath)
 * keeps it whole when a sharded checkpoint at `model.safetensors` is saved beside it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors } from './support.js'

let cleanup = () => {}
afterEach(() => cleanup())

describe('a shard named as a live checkpoint', () => {
  it('does not overwrite that checkpoint', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const first = await createCheckpointer({
      storage: fsStorage(t.dir),
      filepath: 'run/model-{epoch:05d}-of-00002.safetensors',
      monitor: 'loss',
      ...quiet,
    })
    await first.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, f32Tensors([200, 200], 1))
    await first.close()
    const second = await createCheckpointer({
      storage: fsStorage(t.dir),
      filepath: 'run/model.safetensors',
      monitor: 'loss',
      maxShardSize: 1000,
      ...quiet,
    })
    // Two shards: the first is named run/model-00001-of-00002.safetensors.
    await expect(second.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, f32Tensors([200, 200], 2))).rejects.toMatchObject({
      error: { _tag: 'ConfigError', message: expect.stringContaining('run/model-00001-of-00002.safetensors') },
    })
    const restored = await second.restore('run/model-00001-of-00002.safetensors')
    expect(restored.value).toEqual(f32Tensors([200, 200], 1))
    expect((await second.list()).map((e) => e.path)).toEqual(['run/model-00001-of-00002.safetensors'])
    await second.close()
  })
})
