import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

describe('enableVersionCounter', () => {
  it("never overwrites a file at the path that the index does not know (a user's own model.safetensors)", async () => {
    const storage = memoryStorage()
    const users = new TextEncoder().encode("the user's own file")
    await storage.write('model.safetensors', users)
    const c = await createCheckpointer({ storage, filepath: 'model.safetensors', monitor: 'loss', enableVersionCounter: true, ...quiet })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, tensorsFor(0))
    await c.onEpochEnd({ epoch: 1, logs: { loss: 0.5 } }, tensorsFor(1))
    expect((await c.list()).map((e) => e.path)).toEqual(['model-v1.safetensors', 'model-v2.safetensors'])
    expect(await storage.read('model.safetensors')).toEqual(users)
    await c.close()
  })
})
