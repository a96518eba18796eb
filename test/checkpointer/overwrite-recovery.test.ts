import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage, WriteData, WriteOptions } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

/** A storage whose n-th index write (counted from `arm()`) fails, as a crash or ENOSPC would. */
const failingIndexWrite = (inner: Storage) => {
  let countdown = -1
  const storage: Storage = {
    ...inner,
    write: async (key: string, data: WriteData, options?: WriteOptions) => {
      if (key === INDEX_KEY && countdown >= 0 && countdown-- === 0) throw new Error('EIO: injected failure of the index write')
      return inner.write(key, data, options)
    },
  }
  return { storage, arm: (nth: number) => (countdown = nth - 1) }
}

describe('Checkpointer: an overwrite in place that fails before its commit loses neither version', () => {
  it('after the failure, reopening adopts the new artifact (it carries its entry data), in save order', async () => {
    const inner = memoryStorage()
    const f = failingIndexWrite(inner)
    // {loss:.0f} makes epochs 1 and 3 render the same name: epoch 3 overwrites epoch 1's file in place.
    const options = { filepath: 'm-{loss:.0f}.safetensors', monitor: 'loss', ...quiet } as const
    const ckpt = await createCheckpointer({ storage: f.storage, ...options })
    for (const [epoch, loss] of [5, 7, 6].entries()) await ckpt.onEpochEnd({ epoch, logs: { loss }, time: 1000 + epoch }, tensorsFor(epoch))
    // Step 0 (moving m-7 to `replacing`) succeeds; the commit of the new version fails.
    f.arm(2)
    await expect(ckpt.onEpochEnd({ epoch: 3, logs: { loss: 7 }, time: 1003 }, tensorsFor(3))).rejects.toThrow(/EIO/)

    const reopened = await createCheckpointer({ storage: inner, ...options })
    const entries = await reopened.list()
    expect(entries.map((e) => [e.path, e.epoch])).toEqual([
      ['m-5.safetensors', 0],
      ['m-6.safetensors', 2],
      ['m-7.safetensors', 3],
    ])
    expect((await reopened.latest())?.epoch).toBe(3)
    expect((await reopened.restore('m-7.safetensors')).value).toEqual(tensorsFor(3))
  })
})

describe('Checkpointer: restore passing over corrupt checkpoints rewinds the policy too', () => {
  it('restore("latest") falling back to an older checkpoint takes that checkpoint\'s policy state', async () => {
    const storage = memoryStorage()
    const options = { filepath: 'b{epoch}.safetensors', saveBestOnly: true, ...quiet } as const
    const ckpt = await createCheckpointer({ storage, ...options })
    await ckpt.onEpochEnd({ epoch: 0, logs: { val_loss: 0.5 } }, tensorsFor(0))
    await ckpt.onEpochEnd({ epoch: 1, logs: { val_loss: 0.3 } }, tensorsFor(1))
    await storage.write('b2.safetensors', new Uint8Array([1, 2, 3]))
    const reopened = await createCheckpointer({ storage, ...options })
    expect(reopened.state.best).toBe(0.3)
    const restored = await reopened.restore('latest')
    expect(restored.entry.path).toBe('b1.safetensors')
    expect(reopened.state.best).toBe(0.5)
    // Re-running epoch 1 from there saves again, as it did the first time.
    expect((await reopened.onEpochEnd({ epoch: 1, logs: { val_loss: 0.3 } }, tensorsFor(1))).saved).toBe(true)
  })
})
