import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tensorsFor } from './support.js'

describe('a Checkpointer opening an existing index says what it resumes from (verbose: 1)', () => {
  it('names the latest checkpoint, its epoch, and the best value the policy resumes with', async () => {
    const storage = memoryStorage()
    const first = await createCheckpointer({
      storage,
      filepath: 'e{epoch}.safetensors',
      monitor: 'val_loss',
      saveBestOnly: true,
      log: () => {},
    })
    for (const [epoch, v] of [0.5, 0.25, 0.4].entries()) await first.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    await first.close()
    const lines: string[] = []
    const again = await createCheckpointer({
      storage,
      filepath: 'e{epoch}.safetensors',
      monitor: 'val_loss',
      saveBestOnly: true,
      verbose: 1,
      log: (l) => lines.push(l),
    })
    expect(lines).toEqual([
      'Resumed from e2.safetensors (saved at the end of epoch 2); training continues at epoch 3 (epochs counted from 1, as Keras prints them). The index holds 2 checkpoints; the best val_loss so far is 0.25.',
    ])
    await again.close()
    const silent: string[] = []
    await (await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'val_loss', log: (l) => silent.push(l) })).close()
    expect(silent).toEqual([])
  })

  it('after a batch-level save: the batch it was saved after, and the batch training continues at, 1-based', async () => {
    const storage = memoryStorage()
    const options = { storage, filepath: 'b{epoch}-{batch}.safetensors', monitor: 'loss', saveFreq: 3 }
    const first = await createCheckpointer({ ...options, log: () => {} })
    for (let batch = 0; batch < 4; batch++) await first.onBatchEnd({ epoch: 1, batch, logs: { loss: 1 } }, tensorsFor(batch))
    await first.close()
    const lines: string[] = []
    await (await createCheckpointer({ ...options, verbose: 1, log: (l) => lines.push(l) })).close()
    expect(lines).toEqual([
      'Resumed from b2-3.safetensors (saved after batch 3 of epoch 2); training continues at batch 4 of epoch 2 (epochs and batches counted from 1, as Keras prints them). The index holds 1 checkpoint.',
    ])
  })
})
