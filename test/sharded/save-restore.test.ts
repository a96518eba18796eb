import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyEntry } from '../../src/checkpointer/artifact-reader.js'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { decodeSafetensors } from '../../src/tensors/index.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors, filesUnder } from './support.js'

let cleanup = () => {}
afterEach(() => cleanup())

describe('a sharded checkpoint through the Checkpointer', () => {
  it('is written as Hugging Face shards plus their index, recorded as one entry, and restored exactly', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const storage = fsStorage(t.dir)
    // 400, 400, 800 and 400 bytes with a 1000-byte limit: [400+400], [800], [400].
    const tensors = f32Tensors([100, 100, 200, 100])
    const ckpt = await createCheckpointer({
      storage,
      filepath: 'run/e{epoch}/model.safetensors',
      monitor: 'loss',
      maxShardSize: 1000,
      ...quiet,
    })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensors)
    await ckpt.close()

    const files = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']
    expect(filesUnder(t.dir).filter((f) => f.startsWith('run/'))).toEqual(
      [...files, 'model.safetensors.index.json'].map((f) => `run/e1/${f}`),
    )
    const index = JSON.parse(readFileSync(join(t.dir, 'run/e1/model.safetensors.index.json'), 'utf8')) as unknown
    expect(index).toEqual({
      metadata: { total_size: 2000 },
      weight_map: { 'layers.0.weight': files[0], 'layers.1.weight': files[0], 'layers.2.weight': files[1], 'layers.3.weight': files[2] },
    })
    // Each shard is a plain safetensors file carrying the entry data (for a lost index) and HF's "format": "pt".
    for (const f of files) {
      const shard = decodeSafetensors(readFileSync(join(t.dir, 'run/e1', f)))
      if (E.isLeft(shard)) throw new Error(shard.left.message)
      expect(shard.right.metadata.format).toBe('pt')
      expect(JSON.parse(shard.right.metadata.ckpt!)).toMatchObject({ epoch: 0, metrics: { loss: 1 } })
    }

    const reader = await createCheckpointer({ storage: fsStorage(t.dir), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    const [entry] = await reader.list()
    expect(entry!.path).toBe('run/e1/model.safetensors')
    // Every file with its size and checksum, the shards first and the index (the commit point) last.
    expect(entry!.files.map((f) => f.key)).toEqual([...files, 'model.safetensors.index.json'].map((f) => `run/e1/${f}`))
    expect(entry!.files.map((f) => f.size)).toEqual(
      [...files, 'model.safetensors.index.json'].map((f) => readFileSync(join(t.dir, 'run/e1', f)).byteLength),
    )
    expect(await verifyEntry(storage, entry!)).toBeNull()
    // A reader without maxShardSize restores it: the serializer reads both layouts.
    const restored = await reader.restore()
    expect(Object.keys(restored.value)).toEqual(Object.keys(tensors))
    expect(restored.value).toEqual(tensors)
    await reader.close()
  })

  it('writes one file, byte for byte as without maxShardSize, when the tensors fit in one shard', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const tensors = f32Tensors([100, 100])
    const save = async (sub: string, extra: object) => {
      const ckpt = await createCheckpointer({
        storage: fsStorage(join(t.dir, sub)),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        ...extra,
        ...quiet,
      })
      await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 }, time: 1_700_000_000_000 }, tensors)
      await ckpt.close()
    }
    await save('plain', {})
    await save('sharded', { maxShardSize: 800 }) // exactly the tensors' 800 bytes: HF keeps them in one shard
    expect(filesUnder(join(t.dir, 'sharded')).filter((f) => !f.startsWith('ckpt-'))).toEqual(['e1.safetensors'])
    expect(readFileSync(join(t.dir, 'sharded/e1.safetensors'))).toEqual(readFileSync(join(t.dir, 'plain/e1.safetensors')))
  })

  it('names the shards of any filepath after it, as HF names them from a filename pattern', async () => {
    const t = tempDir()
    cleanup = t.cleanup
    const ckpt = await createCheckpointer({
      storage: fsStorage(t.dir),
      filepath: 'ckpt/e{epoch:03d}.safetensors',
      monitor: 'loss',
      maxShardSize: '0.0005MB',
      ...quiet,
    })
    await ckpt.onEpochEnd({ epoch: 2, logs: { loss: 1 } }, f32Tensors([100, 100]))
    expect(filesUnder(t.dir).filter((f) => f.startsWith('ckpt/'))).toEqual([
      'ckpt/e003-00001-of-00002.safetensors',
      'ckpt/e003-00002-of-00002.safetensors',
      'ckpt/e003.safetensors.index.json',
    ])
    expect((await ckpt.restore('ckpt/e003.safetensors')).value).toEqual(f32Tensors([100, 100]))
    await ckpt.close()
  })
})
