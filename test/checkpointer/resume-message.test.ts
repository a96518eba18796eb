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
      'Resuming from the index: 2 checkpoint(s), the latest "e2.safetensors" saved at epoch 2; the best so far is 0.25',
    ])
    await again.close()
    const silent: string[] = []
    await (await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'val_loss', log: (l) => silent.push(l) })).close()
    expect(silent).toEqual([])
  })
})
