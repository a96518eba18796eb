/**
 * The Checkpointer with keepLatest / keepBest false keeps on storage exactly what retention's rules keep: a save no
 * rule keeps is written, committed straight to `removing` and deleted, as Lightning's save_top_k would never keep it.
 */
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

const files = async (storage: Storage) => [...(await storage.list('k/'))].sort()

/**
 * Feeds `values` as epoch ends, reopening the Checkpointer before each epoch in `reopenAt`, as a new process would
 * after the previous one ended (closed first: its async saves committed).
 */
const run = async (storage: Storage, options: Record<string, unknown>, values: ReadonlyArray<number>, reopenAt: ReadonlySet<number>) => {
  const open = () => createCheckpointer({ storage, filepath: 'k/e{epoch}.safetensors', monitor: 'val_loss', ...options, ...quiet })
  let ckpt = await open()
  for (const [epoch, val_loss] of values.entries()) {
    if (reopenAt.has(epoch)) {
      await ckpt.close()
      ckpt = await open()
    }
    await ckpt.onEpochEnd({ epoch, logs: { val_loss }, time: epoch * 1000 }, tensorsFor(epoch))
  }
  await ckpt.flush()
  return ckpt
}

describe('Checkpointer: keepLatest and keepBest false', () => {
  it('rejects a flag that is not a boolean, naming the option, the value and what is accepted', async () => {
    await expect(
      createCheckpointer({ storage: memoryStorage(), filepath: 'k/e.safetensors', keepLatest: 0 as unknown as boolean }),
    ).rejects.toMatchObject({ _tag: 'ConfigError', option: 'keepLatest', message: 'keepLatest: got 0; expected true or false' })
  })

  for (const async of [false, true])
    it(`saveTopK 2 keeps exactly Lightning's set on storage, across reopens${async ? ' (async saves)' : ''}`, async () => {
      // Lightning (min): epochs 0,1 enter; 2 (0) evicts the older 0.25 (epoch 0); NaN only ties the worst; 0.1 evicts epoch 1.
      const values = [0.25, 0.25, 0, NaN, 0.1]
      for (const reopenAt of [new Set<number>(), new Set([2, 3, 4])]) {
        const storage = memoryStorage()
        const ckpt = await run(storage, { saveTopK: 2, keepLatest: false, keepBest: false, async }, values, reopenAt)
        expect((await ckpt.list()).map((e) => e.path)).toEqual(['k/e3.safetensors', 'k/e5.safetensors'])
        expect(await files(storage)).toEqual(['k/e3.safetensors', 'k/e5.safetensors'])
      }
    })

  it('a save no rule keeps is deleted after its commit; latest and restore go to the newest kept', async () => {
    const storage = memoryStorage()
    const ckpt = await run(storage, { saveTopK: 1, keepLatest: false, keepBest: false }, [0.5, 0.1, 0.7], new Set())
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['k/e2.safetensors'])
    expect(await files(storage)).toEqual(['k/e2.safetensors'])
    const restored = await ckpt.restore('latest')
    expect(restored.entry.path).toBe('k/e2.safetensors')
    expect(restored.value).toEqual(tensorsFor(1))
  })

  it('maxToKeep 2 keeps exactly the newest two, best or not; the defaults keep the best too', async () => {
    const values = [0.1, 0.5, 0.6, 0.7]
    const exact = memoryStorage()
    await run(exact, { maxToKeep: 2, keepLatest: false, keepBest: false }, values, new Set())
    expect(await files(exact)).toEqual(['k/e3.safetensors', 'k/e4.safetensors'])
    const defaults = memoryStorage()
    await run(defaults, { maxToKeep: 2 }, values, new Set())
    expect(await files(defaults)).toEqual(['k/e1.safetensors', 'k/e3.safetensors', 'k/e4.safetensors'])
  })
})
