/**
 * A sharded checkpoint is one checkpoint for retention, the version counter and overwrites: all of its files go
 * together, a Hugging Face folder is versioned as a folder, and another writer's sharded files are never written over.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { quiet, tempDir } from '../checkpointer/support.js'
import { f32Tensors, filesUnder } from './support.js'

let cleanup = () => {}
afterEach(() => cleanup())
const folder = () => {
  const t = tempDir()
  cleanup = t.cleanup
  return t.dir
}
const shards = (stem: string, n: number) => Array.from({ length: n }, (_, i) => `${stem}-0000${i + 1}-of-0000${n}.safetensors`)
/** A Checkpointer on `dir` sharding at 1,000 bytes. */
const open = (dir: string, options: { readonly filepath: string } & Record<string, unknown>) =>
  createCheckpointer({ storage: fsStorage(dir), monitor: 'loss', maxShardSize: 1000, ...quiet, ...options })
const ours = (dir: string) => filesUnder(dir).filter((f) => !/(^|\/)ckpt-(index|writer)/.test(f))

describe('sharded checkpoints as units', () => {
  it('retention deletes every file of a dropped checkpoint', async () => {
    const dir = folder()
    const ckpt = await open(dir, { filepath: 'run/e{epoch}/model.safetensors', maxToKeep: 1 })
    for (const epoch of [0, 1, 2]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, f32Tensors([200, 200, 200], epoch))
    await ckpt.flush()
    expect(ours(dir)).toEqual([...shards('model', 3), 'model.safetensors.index.json'].map((f) => `run/e3/${f}`))
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['run/e3/model.safetensors'])
    await ckpt.close()
  })

  it('enableVersionCounter versions the folder of a HF folder, and the file name of any other name', async () => {
    const dir = folder()
    const save = async (filepath: string) => {
      const ckpt = await open(join(dir, filepath.split('/')[0]!), { filepath, enableVersionCounter: true })
      for (const epoch of [0, 1]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, f32Tensors([200, 200], epoch))
      const paths = (await ckpt.list()).map((e) => e.path)
      expect((await ckpt.restore(paths[0])).value).toEqual(f32Tensors([200, 200], 0))
      await ckpt.close()
      return paths
    }
    expect(await save('hf/model.safetensors')).toEqual(['hf/model.safetensors', 'hf-v1/model.safetensors'])
    expect(await save('ckpt/best.safetensors')).toEqual(['ckpt/best.safetensors', 'ckpt/best-v1.safetensors'])
    expect(ours(dir)).toEqual(
      [
        ...shards('ckpt/ckpt/best', 2),
        'ckpt/ckpt/best.safetensors.index.json',
        ...shards('ckpt/ckpt/best-v1', 2),
        'ckpt/ckpt/best-v1.safetensors.index.json',
        ...['hf/hf-v1/', 'hf/hf/'].flatMap((d) => [...shards(`${d}model`, 2), `${d}model.safetensors.index.json`]),
      ].sort(),
    )
  })

  it('enableVersionCounter does not write over a sharded folder ckpt did not write', async () => {
    const dir = folder()
    mkdirSync(join(dir, 'hf'))
    writeFileSync(join(dir, 'hf/model.safetensors.index.json'), '{"weight_map": {"w": "model-00001-of-00002.safetensors"}}')
    writeFileSync(join(dir, 'hf/model-00001-of-00002.safetensors'), 'theirs')
    const ckpt = await open(dir, { filepath: 'hf/model.safetensors', enableVersionCounter: true })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, f32Tensors([200, 200]))
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['hf-v1/model.safetensors'])
    expect(readFileSync(join(dir, 'hf/model-00001-of-00002.safetensors'), 'utf8')).toBe('theirs')
    await ckpt.close()
  })

  it('an overwrite at a fixed path replaces every file: three shards, then two, then one file', async () => {
    const dir = folder()
    const ckpt = await open(dir, { filepath: 'best/model.safetensors', saveBestOnly: true })
    const steps = [
      { sizes: [200, 200, 200], files: [...shards('model', 3), 'model.safetensors.index.json'] },
      { sizes: [200, 200], files: [...shards('model', 2), 'model.safetensors.index.json'] },
      { sizes: [200], files: ['model.safetensors'] },
      { sizes: [200, 200, 200], files: [...shards('model', 3), 'model.safetensors.index.json'] },
    ]
    for (const [epoch, { sizes, files }] of steps.entries()) {
      await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, f32Tensors(sizes, epoch))
      await ckpt.flush()
      expect(ours(dir), `epoch ${epoch}`).toEqual(files.map((f) => `best/${f}`))
      const [entry] = await ckpt.list()
      expect(entry!.files.map((f) => f.key)).toEqual(files.map((f) => `best/${f}`))
      expect((await ckpt.restore()).value).toEqual(f32Tensors(sizes, epoch))
    }
    await ckpt.close()
  })
})
