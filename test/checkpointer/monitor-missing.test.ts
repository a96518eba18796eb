/**
 * createCheckpointer prints the policy's note about a monitor the logs lack once, after Keras's warning (whatever
 * verbose is, as warnings are), and a Checkpointer reopened on an index whose state has made the check does not repeat it.
 */
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tensorsFor } from './support.js'

const KERAS = 'Warning: Can save best model only with vall_loss available, skipping.'
const NOTE = 'Warning: ckpt: the logs hold loss, val_loss; none is named vall_loss; did you mean val_loss?'

describe('Checkpointer: a monitor the logs lack', () => {
  it("logs Keras's warning at each epoch and ckpt's note once", async () => {
    const lines: string[] = []
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({
      storage,
      filepath: 'b.safetensors',
      monitor: 'vall_loss',
      saveBestOnly: true,
      log: (l) => lines.push(l),
    })
    for (const epoch of [0, 1, 2]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1, val_loss: 2 } }, tensorsFor(epoch))
    expect(lines).toEqual([KERAS, NOTE, KERAS, KERAS])
    expect(await storage.list()).toEqual([])
  })
  it('a run resumed from an index whose state made the check does not repeat it', async () => {
    const storage = memoryStorage()
    const options = { storage, filepath: 'b-{epoch}.safetensors', monitor: 'val_loss', saveBestOnly: true }
    const first = await createCheckpointer({ ...options, log: () => {} })
    await first.onEpochEnd({ epoch: 0, logs: { loss: 1, val_loss: 2 } }, tensorsFor(0))
    await first.close()
    const lines: string[] = []
    const resumed = await createCheckpointer({ ...options, log: (l) => lines.push(l) })
    expect(resumed.state.monitorChecked).toBe(true)
    await resumed.onEpochEnd({ epoch: 1, logs: { loss: 1 } }, tensorsFor(1))
    expect(lines).toEqual(['Warning: Can save best model only with val_loss available, skipping.'])
  })
})
