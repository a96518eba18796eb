import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage, WriteData, WriteOptions } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

/** A storage whose checkpoint writes wait for `release()`, to hold a save in flight. Index writes pass. */
const gated = (inner: Storage) => {
  let open: () => void = () => {}
  let gate = new Promise<void>((r) => (open = r))
  let failNext = false
  let writesStarted = 0
  const storage: Storage = {
    ...inner,
    write: async (key: string, data: WriteData, options?: WriteOptions) => {
      if (key.endsWith('.safetensors')) {
        writesStarted++
        await gate
        if (failNext) {
          failNext = false
          throw Object.assign(new Error('ENOSPC: no space left'), { _tag: 'IOError', key, message: 'ENOSPC: no space left', cause: null })
        }
      }
      return inner.write(key, data, options)
    },
  }
  return {
    storage,
    release: () => open(),
    hold: () => {
      gate = new Promise<void>((r) => (open = r))
    },
    failNextWrite: () => (failNext = true),
    writesStarted: () => writesStarted,
  }
}

describe('Checkpointer: async saves', () => {
  it('returns before the write completes, and the save is committed after flush()', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({ storage: g.storage, filepath: 'a{epoch}.safetensors', monitor: 'loss', async: true, ...quiet })
    const out = await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    expect(out).toMatchObject({ saved: true, committed: false })
    expect(await g.storage.stat('a1.safetensors')).toBeNull()
    g.release()
    await ckpt.flush()
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['a1.safetensors'])
  })

  it('keeps at most one save in flight: the next save waits for the previous one', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({ storage: g.storage, filepath: 'b{epoch}.safetensors', monitor: 'loss', async: true, ...quiet })
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    let secondReturned = false
    const second = ckpt.onEpochEnd({ epoch: 1, logs: { loss: 1 } }, tensorsFor(1)).then(() => (secondReturned = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(secondReturned).toBe(false)
    expect(g.writesStarted()).toBe(1)
    g.release()
    await second
    await ckpt.flush()
    expect((await ckpt.list()).length).toBe(2)
  })

  it('a background failure surfaces on the next call and is never swallowed; the previous checkpoint stays', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({ storage: g.storage, filepath: 'c{epoch}.safetensors', monitor: 'loss', async: true, ...quiet })
    g.release()
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await ckpt.flush()
    g.failNextWrite()
    await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 1 } }, tensorsFor(1))
    await expect(ckpt.onEpochEnd({ epoch: 2, logs: { loss: 1 } }, tensorsFor(2))).rejects.toThrow(/ENOSPC/)
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['c1.safetensors'])
    // Reported once; the next save goes through.
    await ckpt.onEpochEnd({ epoch: 3, logs: { loss: 1 } }, tensorsFor(3))
    await ckpt.flush()
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['c1.safetensors', 'c4.safetensors'])
  })

  it('flush() and close() reject with a background failure', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({ storage: g.storage, filepath: 'd{epoch}.safetensors', monitor: 'loss', async: true, ...quiet })
    g.failNextWrite()
    g.release()
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await expect(ckpt.flush()).rejects.toThrow(/ENOSPC/)
    g.failNextWrite()
    await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 1 } }, tensorsFor(1))
    await expect(ckpt.close()).rejects.toThrow(/ENOSPC/)
  })

  it('a background failure surfacing during a later save resets the best to the last committed one', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({
      storage: g.storage,
      filepath: 'b{epoch}.safetensors',
      saveBestOnly: true,
      async: true,
      ...quiet,
    })
    g.release()
    await ckpt.onEpochEnd({ epoch: 0, logs: { val_loss: 0.6 } }, tensorsFor(0))
    await ckpt.flush()
    g.hold()
    g.failNextWrite()
    await ckpt.onEpochEnd({ epoch: 1, logs: { val_loss: 0.5 } }, tensorsFor(1))
    // Epoch 2 improves again while epoch 1's save is still in flight; that save then fails.
    const third = ckpt.onEpochEnd({ epoch: 2, logs: { val_loss: 0.4 } }, tensorsFor(2))
    g.release()
    await expect(third).rejects.toThrow(/ENOSPC/)
    expect(ckpt.state.best).toBe(0.6)
    expect((await ckpt.onEpochEnd({ epoch: 3, logs: { val_loss: 0.55 } }, tensorsFor(3))).saved).toBe(true)
  })

  it('a failed save does not count as the new best: the next improvement over the old best saves', async () => {
    const g = gated(memoryStorage())
    const ckpt = await createCheckpointer({ storage: g.storage, filepath: 'best.safetensors', saveBestOnly: true, async: true, ...quiet })
    g.release()
    await ckpt.onEpochEnd({ epoch: 0, logs: { val_loss: 1 } }, tensorsFor(0))
    await ckpt.flush()
    g.failNextWrite()
    await ckpt.onEpochEnd({ epoch: 1, logs: { val_loss: 0.5 } }, tensorsFor(1))
    await expect(ckpt.flush()).rejects.toThrow(/ENOSPC/)
    expect(ckpt.state.best).toBe(1)
    expect((await ckpt.onEpochEnd({ epoch: 2, logs: { val_loss: 0.7 } }, tensorsFor(2))).saved).toBe(true)
  })
})
