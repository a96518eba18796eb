import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { quiet, tensorsFor } from './support.js'

const FILEPATH = 'run/e{epoch:03d}.safetensors'

/** Feeds `losses` as epoch ends to a Checkpointer with `options`; what it keeps, and what the storage holds. */
const run = async (options: Record<string, unknown>, losses: ReadonlyArray<number>) => {
  const storage = memoryStorage()
  const ckpt = await createCheckpointer({ storage, filepath: FILEPATH, ...options, ...quiet })
  for (const [epoch, val_loss] of losses.entries())
    await ckpt.onEpochEnd({ epoch, logs: { val_loss }, time: 1000 + epoch }, tensorsFor(epoch))
  const entries = await ckpt.list()
  const out = {
    ckpt,
    regular: entries.filter((e) => e.last !== true).map((e) => [e.path, e.epoch]),
    last: entries.filter((e) => e.last === true),
    latest: await ckpt.latest(),
    best: (await ckpt.best())?.path ?? null,
    files: [...(await storage.list('run/'))].sort(),
  }
  return out
}

describe('saveLast and retention: last is never deleted, counted or ranked', () => {
  it('saveTopK: 1, maxToKeep: 1: the rules keep what they keep without last; last stays, and is never the best', async () => {
    const losses = [0.3, 0.1, 0.2, 0.4, 0.5]
    for (const rule of [{ saveTopK: 1 }, { maxToKeep: 1 }]) {
      const plain = await run(rule, losses)
      const withLast = await run({ ...rule, saveLast: true }, losses)
      expect(withLast.regular).toEqual(plain.regular)
      expect(withLast.last.map((e) => [e.path, e.epoch])).toEqual([['run/last.safetensors', 4]])
      expect(withLast.best).toBe('run/e002.safetensors')
      expect(withLast.files).toEqual([...plain.files, 'run/last.safetensors'].sort())
      await expect(withLast.ckpt.restore('best')).resolves.toMatchObject({ entry: { path: 'run/e002.safetensors' } })
      await expect(withLast.ckpt.restore('latest')).resolves.toMatchObject({ entry: { path: 'run/last.safetensors', epoch: 4 } })
    }
  })

  it("saveTopK: 1 with keepLatest and keepBest false, as Lightning's save_top_k=1, save_last=True: the best one and last", async () => {
    const r = await run({ saveTopK: 1, keepLatest: false, keepBest: false, saveLast: true }, [0.3, 0.1, 0.2, 0.4, 0.5])
    expect(r.regular).toEqual([['run/e002.safetensors', 1]])
    expect(r.files).toEqual(['run/e002.safetensors', 'run/last.safetensors'])
    expect(r.latest?.path).toBe('run/last.safetensors')
  })

  it('saveTopK 0 with exact retention: only last is kept, and it is still not the best (best(), restore("best"))', async () => {
    const r = await run({ saveTopK: 0, keepLatest: false, keepBest: false, saveLast: true }, [0.3, 0.1, 0.2])
    expect(r.regular).toEqual([])
    expect(r.last.map((e) => [e.path, e.score])).toEqual([['run/last.safetensors', 0.2]])
    expect(r.best).toBeNull()
    await expect(r.ckpt.restore('best')).rejects.toMatchObject({ _tag: 'NoSuchCheckpoint' })
  })

  it('a best-only run whose monitor never appears: only last is saved, and there is no best', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: FILEPATH, saveBestOnly: true, saveLast: true, maxToKeep: 1, ...quiet })
    for (const epoch of [0, 1, 2]) await ckpt.onEpochEnd({ epoch, logs: { loss: 1 } }, tensorsFor(epoch))
    expect((await ckpt.list()).map((e) => [e.path, e.epoch, e.last])).toEqual([['run/last.safetensors', 2, true]])
    expect(await ckpt.best()).toBeNull()
    await expect(ckpt.restore('best')).rejects.toMatchObject({ _tag: 'NoSuchCheckpoint' })
    expect((await ckpt.restore('latest')).value).toEqual(tensorsFor(2))
  })

  it('law: for random runs and rules, the regular kept set and the best are those without saveLast; last is the newest save', async () => {
    const value = fc.oneof({ weight: 9, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) })
    const rules = fc.record(
      {
        saveTopK: fc.integer({ min: 0, max: 3 }),
        maxToKeep: fc.integer({ min: 1, max: 3 }),
        keepPeriod: fc.integer({ min: 1, max: 3 }),
        keepLatest: fc.boolean(),
        keepBest: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 9 }), rules, fc.boolean(), async (losses, retention, saveBestOnly) => {
        const plain = await run({ ...retention, saveBestOnly }, losses)
        const withLast = await run({ ...retention, saveBestOnly, saveLast: true }, losses)
        expect(withLast.regular).toEqual(plain.regular)
        expect(withLast.best).toBe(plain.best)
        if (losses.length === 0) {
          expect(withLast.last).toEqual([])
          return
        }
        // Every epoch end is a save opportunity: last holds the newest, and is what restore('latest') reads.
        expect(withLast.last.map((e) => [e.path, e.epoch])).toEqual([['run/last.safetensors', losses.length - 1]])
        expect(withLast.latest?.path).toBe('run/last.safetensors')
        expect((await withLast.ckpt.restore('latest')).value).toEqual(tensorsFor(losses.length - 1))
        // Retention deleted no file of last, and only the files of what it dropped.
        expect(withLast.files).toEqual([...plain.files, 'run/last.safetensors'].sort())
      }),
      { numRuns: 60 },
    )
  })
})
