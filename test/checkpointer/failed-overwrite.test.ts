import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { StorageFailure, ioError } from '../../src/storage/errors.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

/** `inner`, whose writes to `key` fail with ENOSPC while `failing()` says so. */
const fullDiskFor = (inner: Storage, key: string, failing: () => boolean): Storage =>
  new Proxy(inner, {
    get: (target, prop) => {
      if (prop === 'write')
        return (k: string, data: Parameters<Storage['write']>[1], options: Parameters<Storage['write']>[2]) =>
          k === key && failing()
            ? Promise.reject(new StorageFailure(ioError(k, 'ENOSPC: no space left on device', null)))
            : target.write(k, data, options)
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })

describe('a failed overwrite of a fixed path', () => {
  it('leaves the previous checkpoint listed, best and restorable while the Checkpointer stays open', async () => {
    const inner = memoryStorage()
    let full = false
    const storage = fullDiskFor(inner, 'best.safetensors', () => full)
    const c = await createCheckpointer({ storage, filepath: 'best.safetensors', monitor: 'val_loss', saveBestOnly: true, ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { val_loss: 0.5 } }, tensorsFor(0))
    full = true
    await expect(c.onEpochEnd({ epoch: 1, logs: { val_loss: 0.4 } }, tensorsFor(1))).rejects.toMatchObject({
      _tag: 'StorageFailed',
      cause: { _tag: 'IOError' },
    })
    expect((await c.list()).map((e) => [e.path, e.epoch])).toEqual([['best.safetensors', 0]])
    expect((await c.best())?.epoch).toBe(0)
    expect((await c.latest())?.epoch).toBe(0)
    const restored = await c.restore()
    expect(restored.entry.epoch).toBe(0)
    expect(restored.value['dense/bias']!.data).toEqual(tensorsFor(0)['dense/bias']!.data)
    // The failed save did not count as the best: the same improvement saves once the disk has room.
    full = false
    expect((await c.onEpochEnd({ epoch: 2, logs: { val_loss: 0.45 } }, tensorsFor(2))).saved).toBe(true)
    expect((await c.list()).map((e) => [e.path, e.epoch])).toEqual([['best.safetensors', 2]])
    await c.close()
  })
})
