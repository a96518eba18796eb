import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { quiet, tensorsFor } from './support.js'

const options = (storage: Storage, saveBestOnly: boolean, saveTopK: number) => ({
  storage,
  filepath: 'run/e{epoch:03d}-{val_loss:.4f}.safetensors',
  saveBestOnly,
  saveTopK,
  ...quiet,
})

/** Feeds `losses` as epoch ends, reopening the checkpointer before each epoch listed in `breaks`. */
const run = async (
  storage: Storage,
  losses: ReadonlyArray<number>,
  breaks: ReadonlySet<number>,
  saveBestOnly: boolean,
  saveTopK: number,
) => {
  let ckpt = await createCheckpointer(options(storage, saveBestOnly, saveTopK))
  const saved: boolean[] = []
  for (const [epoch, val_loss] of losses.entries()) {
    if (breaks.has(epoch)) ckpt = await createCheckpointer(options(storage, saveBestOnly, saveTopK))
    saved.push((await ckpt.onEpochEnd({ epoch, logs: { val_loss }, time: epoch * 1000 }, tensorsFor(epoch))).saved)
  }
  return { saved, kept: (await ckpt.list()).map((e) => e.path), keys: [...(await storage.list())].sort(), state: ckpt.state }
}

describe('Checkpointer: resuming from the stored index', () => {
  it('a run reopened at any epochs decides, keeps and stores exactly what an uninterrupted run does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.uniqueArray(fc.nat({ max: 11 })),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        async (losses, breaks, saveBestOnly, k) => {
          const straight = await run(memoryStorage(), losses, new Set(), saveBestOnly, k)
          const resumed = await run(memoryStorage(), losses, new Set(breaks), saveBestOnly, k)
          expect(resumed).toEqual(straight)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('keeps the best value across a reopen (Keras loses it: keras#17012)', async () => {
    const storage = memoryStorage()
    const first = await createCheckpointer({ storage, filepath: 'best.safetensors', saveBestOnly: true, ...quiet })
    await first.onEpochEnd({ epoch: 0, logs: { val_loss: 0.1 } }, tensorsFor(0))
    const second = await createCheckpointer({ storage, filepath: 'best.safetensors', saveBestOnly: true, ...quiet })
    expect(second.state.best).toBe(0.1)
    expect((await second.onEpochEnd({ epoch: 1, logs: { val_loss: 0.2 } }, tensorsFor(1))).saved).toBe(false)
    expect((await second.restore()).value).toEqual(tensorsFor(0))
  })

  it('retention deletes the files of dropped checkpoints and nothing else', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'k/e{epoch}.safetensors', saveTopK: 2, ...quiet })
    const losses = [5, 1, 4, 2, 3]
    for (const [epoch, val_loss] of losses.entries()) await ckpt.onEpochEnd({ epoch, logs: { val_loss } }, tensorsFor(epoch))
    // top-2 by val_loss are epochs 1 and 3 (0-based); the newest (epoch 4) is always kept.
    expect((await ckpt.list()).map((e) => e.path)).toEqual(['k/e2.safetensors', 'k/e4.safetensors', 'k/e5.safetensors'])
    expect([...(await storage.list('k/'))].sort()).toEqual(['k/e2.safetensors', 'k/e4.safetensors', 'k/e5.safetensors'])
  })
})
