import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'
import { quiet, tensorsFor } from './support.js'

const withTwoCheckpoints = async (): Promise<Storage> => {
  const storage = memoryStorage()
  const ckpt = await createCheckpointer({ storage, filepath: 'c/e{epoch}.safetensors', monitor: 'loss', ...quiet })
  for (const epoch of [0, 1]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch))
  return storage
}

const snapshotOf = async (storage: Storage): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const key of await storage.list()) out[key] = Buffer.from(await storage.read(key)).toString('base64')
  return out
}

describe('Checkpointer: bad input gives a typed error and touches nothing', () => {
  const corruptIndexes: ReadonlyArray<[string, string, RegExp]> = [
    ['bad JSON', '{"format": "ckpt-index", ', /not valid UTF-8 JSON/],
    [
      'a wrong schema',
      JSON.stringify({ format: 'ckpt-index', version: 1, checkpoints: [{ path: 3 }], replacing: [], removing: [], policyState: null }),
      /does not match the index schema.*checkpoints/,
    ],
    ['a future format version', JSON.stringify({ format: 'ckpt-index', version: 7 }), /format version 7.*upgrade ckpt/],
  ]
  for (const [what, content, message] of corruptIndexes) {
    it(`a corrupt index (${what}) rejects with CorruptIndex and leaves every file as it was`, async () => {
      const storage = await withTwoCheckpoints()
      await storage.write(INDEX_KEY, new TextEncoder().encode(content))
      const before = await snapshotOf(storage)
      const opened = createCheckpointer({ storage, filepath: 'c/e{epoch}.safetensors', monitor: 'loss', ...quiet })
      await expect(opened).rejects.toMatchObject({ _tag: 'CorruptIndex', message: expect.stringMatching(message) })
      expect(await snapshotOf(storage)).toEqual(before)
    })
  }

  it('an index entry whose file is missing: restore("latest") passes over it and says so; restore(path) names it and offers the next valid one', async () => {
    const storage = await withTwoCheckpoints()
    await storage.remove('c/e2.safetensors')
    const lines: string[] = []
    const ckpt = await createCheckpointer({ storage, filepath: 'c/e{epoch}.safetensors', monitor: 'loss', log: (l) => lines.push(l) })
    const restored = await ckpt.restore('latest')
    expect(restored.entry.path).toBe('c/e1.safetensors')
    expect(restored.skipped.map((s) => s.path)).toEqual(['c/e2.safetensors'])
    expect(lines.join('\n')).toMatch(/skipping corrupt checkpoint "c\/e2.safetensors"/)
    await expect(ckpt.restore('c/e2.safetensors')).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      path: 'c/e2.safetensors',
      fallback: 'c/e1.safetensors',
    })
  })

  it('a truncated or bit-flipped checkpoint fails its checksum and is reported by name', async () => {
    const storage = await withTwoCheckpoints()
    const bytes = await storage.read('c/e2.safetensors')
    const flipped = bytes.slice()
    flipped[flipped.length - 1]! ^= 1
    await storage.write('c/e2.safetensors', flipped)
    await storage.write('c/e1.safetensors', bytes.subarray(0, 40))
    const ckpt = await createCheckpointer({ storage, filepath: 'c/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    await expect(ckpt.restore('c/e2.safetensors')).rejects.toMatchObject({
      _tag: 'CorruptCheckpoint',
      message: expect.stringMatching(/fails its checksum/),
      fallback: null,
    })
    await expect(ckpt.restore('latest')).rejects.toMatchObject({ _tag: 'CorruptCheckpoint', message: expect.stringMatching(/truncated/) })
  })

  it('a snapshot that is not a record of named tensors is rejected before anything is written', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'x{epoch}.safetensors', monitor: 'loss', ...quiet })
    const bad: ReadonlyArray<unknown> = [
      [tensorsFor(0)['dense/bias']],
      new Map([[1, tensorsFor(0)['dense/bias']]]),
      { [Symbol('w')]: tensorsFor(0)['dense/bias'] },
      { w: { dtype: 'F32', shape: [2], data: [1, 2] } },
    ]
    for (const [i, snapshot] of bad.entries())
      await expect(ckpt.onEpochEnd({ epoch: i, logs: { loss: 1 } }, snapshot as Tensors)).rejects.toMatchObject({ _tag: 'InvalidSnapshot' })
    expect(await storage.list()).toEqual([])
  })

  it('a NaN metric never counts as the best (the policy skips with a warning)', async () => {
    const lines: string[] = []
    const ckpt = await createCheckpointer({
      storage: memoryStorage(),
      filepath: 'b.safetensors',
      saveBestOnly: true,
      log: (l) => lines.push(l),
    })
    expect((await ckpt.onEpochEnd({ epoch: 0, logs: { val_loss: NaN } }, tensorsFor(0))).saved).toBe(false)
    expect(lines).toContain('Warning: Can save best model only with val_loss available, skipping.')
    expect((await ckpt.onEpochEnd({ epoch: 1, logs: { val_loss: 3 } }, tensorsFor(1))).saved).toBe(true)
  })

  it('two saves to one path overwrite it (Keras), or get -v1, -v2 with enableVersionCounter (Lightning)', async () => {
    const storage = memoryStorage()
    const keras = await createCheckpointer({ storage, filepath: 'same.safetensors', monitor: 'loss', ...quiet })
    for (const epoch of [0, 1]) await keras.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch))
    expect((await keras.list()).map((e) => e.path)).toEqual(['same.safetensors'])
    expect((await keras.restore()).value).toEqual(tensorsFor(1))

    const storage2 = memoryStorage()
    const lightning = await createCheckpointer({
      storage: storage2,
      filepath: 'd/same.weights.safetensors',
      monitor: 'loss',
      enableVersionCounter: true,
      ...quiet,
    })
    for (const epoch of [0, 1, 2]) await lightning.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch))
    expect((await lightning.list()).map((e) => e.path)).toEqual([
      'd/same.weights.safetensors',
      'd/same-v1.weights.safetensors',
      'd/same-v2.weights.safetensors',
    ])
    expect((await lightning.restore('d/same-v1.weights.safetensors')).value).toEqual(tensorsFor(1))
  })

  it('configuration errors name the option, the value and what is accepted', async () => {
    await expect(createCheckpointer({ storage: {} as Storage, filepath: 'a' })).rejects.toMatchObject({
      _tag: 'ConfigError',
      message: expect.stringMatching(/^storage: got \{\}; expected a Storage/),
    })
    await expect(createCheckpointer({ storage: memoryStorage(), filepath: 'a', saveFreq: 0 })).rejects.toMatchObject({
      _tag: 'ConfigError',
      message: expect.stringMatching(/saveFreq: got 0/),
    })
    await expect(createCheckpointer({ storage: memoryStorage(), filepath: 'a', async: 'yes' as unknown as boolean })).rejects.toMatchObject(
      { message: expect.stringMatching(/async: got "yes"; expected true or false/) },
    )
  })
})
