import { describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { encodeSafetensorsOrThrow } from '../../src/tensors/index.js'
import { quiet, tensorsFor } from './support.js'

const options = { filepath: 'r/e{epoch}.safetensors', saveBestOnly: false, saveTopK: 2, ...quiet } as const

describe('Checkpointer: a lost index is rebuilt by scanning', () => {
  it('gives back the same entries, best value and policy state as before the index was lost', async () => {
    const storage = memoryStorage()
    const first = await createCheckpointer({ storage, ...options })
    for (const [epoch, val_loss] of [3, 1, 2, 0.5].entries())
      await first.onEpochEnd({ epoch, logs: { val_loss }, time: 1000 + epoch }, tensorsFor(epoch))
    const before = await first.list()
    // A foreign safetensors file without ckpt metadata is not adopted.
    await storage.write('r/foreign.safetensors', encodeSafetensorsOrThrow({ x: { dtype: 'U8', shape: [1], data: Uint8Array.of(1) } }))
    await storage.remove(INDEX_KEY)

    const lines: string[] = []
    const second = await createCheckpointer({ storage, ...options, log: (l) => lines.push(l) })
    expect(before.length).toBeGreaterThan(1)
    expect(lines).toContain(`Rebuilt the lost index from ${before.length} checkpoint(s) found in the storage`)
    expect(await second.list()).toEqual(before)
    expect(second.state).toEqual(first.state)
    expect((await second.restore('best')).value).toEqual(tensorsFor(3))
    expect(await storage.stat(INDEX_KEY)).not.toBeNull()
  })
})
