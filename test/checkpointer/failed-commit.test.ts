// commitSave reinstates the replaced entry only when serializer.write fails (commit.ts:91-96). When
// the artifact was written but the commit's index write fails (ENOSPC on the index, a flaky S3 PUT), the
// entry stays in `replacing` and nothing is listed at that path for as long as this Checkpointer stays open:
// list(), best() and restore() lose the only checkpoint, though a complete one is on disk (a reopen adopts it).
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tensorsFor } from './support.js'

describe('a failed commit of an overwrite', () => {
  it('keeps a checkpoint listed at the path in the same session', async () => {
    const inner = memoryStorage()
    let indexWrites = 0
    let failAt = Infinity
    const storage: Storage = Object.assign(Object.create(inner) as Storage, {
      write: (k: string, d: Parameters<Storage['write']>[1], o?: Parameters<Storage['write']>[2]) => {
        if (k === 'ckpt-index.json' && ++indexWrites === failAt) return Promise.reject(new Error('ENOSPC (injected)'))
        return inner.write(k, d, o)
      },
    })
    const c = await createCheckpointer({ storage, filepath: 'best.safetensors', monitor: 'loss', saveBestOnly: true, log: () => {} })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    failAt = indexWrites + 2 // the commit's index write
    await expect(c.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))).rejects.toThrow()
    expect((await c.list()).map((e) => e.path)).toEqual(['best.safetensors'])
  })
})
