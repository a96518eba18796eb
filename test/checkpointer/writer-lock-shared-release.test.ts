// within one process the writer lock is shared (writer-lock.ts:102-104), but with no count of holders:
// the first Checkpointer to close() (or the tfjs callback at train end) deletes the lock (writer-lock.ts:143)
// while another Checkpointer of the process still writes the folder. A second process then takes the lock
// without any warning and both write.
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { tensorsFor } from './support.js'

describe('writer lock shared within a process', () => {
  it('closing one Checkpointer keeps the lock while another still writes', async () => {
    const storage = memoryStorage()
    const opts = { storage, filepath: 'a{epoch}.safetensors', monitor: 'loss', log: () => {} }
    const a = await createCheckpointer(opts)
    await a.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    const b = await createCheckpointer({ ...opts, filepath: 'b{epoch}.safetensors' })
    await b.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))
    await a.releaseWriterLock() // what modelCheckpoint does at onTrainEnd
    // b is still open and writing: the folder must still be locked, or another process walks in unnoticed.
    expect(await storage.stat('ckpt-writer.lock')).not.toBeNull()
    await b.close()
  })
})
