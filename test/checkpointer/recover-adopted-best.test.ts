// a crash between overwriting best.safetensors (saveBestOnly, fixed path) and the index commit is
// recovered on open by adopting the new file from its entry data (recovery.ts:78-82). But the policy state is
// not taken from the adopted checkpoint: createCheckpointer decodes the index's (older) policyState before
// recover runs (checkpointer.ts:117-123, 141), and recover never updates it. The resumed policy's best is the
// old, worse value, so a worse epoch "improves" and overwrites the adopted best model.
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tensorsFor } from './support.js'

describe('recovery adopting an overwritten best', () => {
  it('resumes the policy best from the adopted checkpoint', async () => {
    const inner = memoryStorage()
    let indexWrites = 0
    let crashAt = Infinity
    const storage: Storage = Object.assign(Object.create(inner) as Storage, {
      write: (k: string, d: Parameters<Storage['write']>[1], o?: Parameters<Storage['write']>[2]) => {
        if (k === 'ckpt-index.json' && ++indexWrites >= crashAt) return Promise.reject(new Error('killed (simulated crash)'))
        return inner.write(k, d, o)
      },
    })
    const opts = { storage, filepath: 'best.safetensors', monitor: 'loss', saveBestOnly: true, log: () => {} }
    const a = await createCheckpointer(opts)
    await a.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    // Epoch 2 improves to 0.5: the file is overwritten, then the process dies before the index commit.
    crashAt = indexWrites + 2 // the 'replacing' write lands, the commit does not
    await a.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1)).catch(() => undefined)
    crashAt = Infinity
    const b = await createCheckpointer(opts)
    expect((await b.list()).map((e) => [e.path, e.metrics.loss])).toEqual([['best.safetensors', 0.5]]) // adopted
    // Epoch 3 is worse than the adopted best (0.7 > 0.5): it must not replace it.
    const out = await b.onEpochEnd({ epoch: 2, logs: { loss: 0.7 } }, tensorsFor(2))
    expect({ saved: out.saved, best: (await b.best())?.metrics.loss }).toEqual({ saved: false, best: 0.5 })
  })
})
