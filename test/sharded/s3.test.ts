/**
 * Sharded checkpoints on S3 (moto_server): saved as a unit, listed, restored verified, rebuilt from a lost index as
 * one entry, dropped whole by retention; and readShardedSafetensors reads the folder from the bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, readShardedSafetensors } from '../../src/index.js'
import { s3Storage } from '../../src/storage/s3.js'
import { motoMissing, startMoto, storageOptions, type S3Server } from '../storage/servers.js'
import { f32Tensors } from './support.js'

const missing = motoMissing()
if (missing !== null) console.warn(`sharded checkpoints on S3: skipped: ${missing}`)
const SIZES = [100, 100, 200, 100] // three shards at 1,000 bytes

describe.skipIf(missing !== null)('sharded checkpoints on S3 (moto_server)', () => {
  let server: S3Server
  beforeAll(async () => {
    server = await startMoto()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('save, restore, retention and a lost index, all with every shard and the index as one checkpoint', async () => {
    const options = storageOptions(server)
    const open = () =>
      createCheckpointer({
        storage: s3Storage(options),
        filepath: 'run/e{epoch}/model.safetensors',
        monitor: 'loss',
        maxShardSize: 1000,
        maxToKeep: 1,
        log: () => {},
      })
    const ckpt = await open()
    for (const epoch of [0, 1]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, f32Tensors(SIZES, epoch))
    await ckpt.flush()
    const storage = s3Storage(options)
    expect((await storage.list()).filter((k) => k.startsWith('run/'))).toEqual([
      'run/e2/model-00001-of-00003.safetensors',
      'run/e2/model-00002-of-00003.safetensors',
      'run/e2/model-00003-of-00003.safetensors',
      'run/e2/model.safetensors.index.json',
    ])
    expect((await ckpt.restore()).value).toEqual(f32Tensors(SIZES, 1))
    await ckpt.close()

    const read = await readShardedSafetensors(storage, 'run/e2/model.safetensors.index.json')
    expect(read.tensors).toEqual(f32Tensors(SIZES, 1))

    await storage.remove('ckpt-index.json')
    const rebuilt = await open()
    const entries = await rebuilt.list()
    expect(entries.map((e) => [e.path, e.files.length])).toEqual([['run/e2/model.safetensors', 4]])
    expect((await rebuilt.restore()).value).toEqual(f32Tensors(SIZES, 1))
    await rebuilt.close()
  })
})
