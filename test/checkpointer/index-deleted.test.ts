import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

const storages: ReadonlyArray<[string, () => Storage]> = [
  ['memory', () => memoryStorage()],
  ['fs', () => fsStorage(`${tmp.dir}/run-${Math.random().toString(36).slice(2)}`)],
]

describe.each(storages)('the index deleted while a writer runs (%s storage)', (_, make) => {
  it('the next save forgets no earlier checkpoint, says what happened, and a reopen sees them all', async () => {
    const storage = make()
    const lines: string[] = []
    const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'val_loss', log: (l) => lines.push(l) })
    for (const [epoch, v] of [0.5, 0.3, 0.4].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    await c.flush()
    await storage.remove('ckpt-index.json')
    await c.onEpochEnd({ epoch: 3, logs: { val_loss: 0.6 } }, tensorsFor(3))
    expect((await c.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors', 'e3.safetensors', 'e4.safetensors'])
    expect((await c.best())?.path).toBe('e2.safetensors')
    expect(lines.some((l) => /index "ckpt-index.json" was deleted/.test(l))).toBe(true)
    await c.close()

    const reopened = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'val_loss', log: () => {} })
    expect((await reopened.list()).map((e) => e.path)).toEqual(['e1.safetensors', 'e2.safetensors', 'e3.safetensors', 'e4.safetensors'])
    const best = await reopened.restore('best')
    expect(best.entry.path).toBe('e2.safetensors')
    expect(best.value['dense/bias']!.data).toEqual(tensorsFor(1)['dense/bias']!.data)
    await reopened.close()
  })
})
