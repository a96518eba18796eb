import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/checkpointer.js'
import { exportRun, importCheckpoints } from '../../src/checkpointer/export/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { tempDir } from '../checkpointer/support.js'
import { bytesOf, quiet, weightsAt } from './support.js'

const t = tempDir('ckpt-import-run-')
afterAll(t.cleanup)

// saveBestOnly with top-2 retention: which epochs save, and which are kept, depend on the best value and the kept set.
const LOSSES = [0.9, 0.5, 0.6, 0.3, 0.4, 0.2, 0.25, 0.1, 0.15, 0.05]
const options = { filepath: 'ckpt/e{epoch:02d}.safetensors', monitor: 'loss', saveBestOnly: true, saveTopK: 2, ...quiet }

/** Trains epochs `from` to `to` (exclusive) on `storage`; resolves to what each epoch saved, what is kept, and the policy state. */
const train = async (storage: Storage, from: number, to: number) => {
  const ckpt = await createCheckpointer({ storage, ...options })
  const saved: Array<string | null> = []
  for (let epoch = from; epoch < to; epoch++)
    saved.push(
      (await ckpt.onEpochEnd({ epoch, logs: { loss: LOSSES[epoch]! }, time: 1_700_000_000_000 + epoch * 1000 }, weightsAt(epoch))).path,
    )
  await ckpt.close()
  const reopened = await createCheckpointer({ storage, ...options })
  const out = { saved, kept: (await reopened.list()).map((e) => e.path), state: reopened.state }
  await reopened.close()
  return out
}

describe('a whole run exported and imported into an empty folder resumes as the run would have', () => {
  it('the best value, the retained set and the counters carry over: the continued runs keep the same checkpoints', async () => {
    const original = memoryStorage()
    await train(original, 0, 6)
    const archive = await bytesOf(await exportRun(original))
    const moved = fsStorage(`${t.dir}/moved`)
    const result = await importCheckpoints(moved, archive, quiet)
    expect(result.imported.map((e) => e.path)).toEqual(['ckpt/e04.safetensors', 'ckpt/e06.safetensors'])

    const there = await train(original, 6, 10)
    const here = await train(moved, 6, 10)
    // Epoch 7 (0.25) does not beat the best (0.2), so it is not saved: only a run that kept its best knows that.
    expect(here).toEqual(there)
    expect(here.saved).toEqual([null, 'ckpt/e08.safetensors', null, 'ckpt/e10.safetensors'])
    expect(here.kept).toEqual(['ckpt/e08.safetensors', 'ckpt/e10.safetensors'])
    const ckpt = await createCheckpointer({ storage: moved, ...options })
    expect((await ckpt.restore('best')).value).toEqual(weightsAt(9))
    await ckpt.close()
  })

  it('into a folder with checkpoints of its own, the folder keeps its own policy state and ranking', async () => {
    const source = memoryStorage()
    await train(source, 0, 6)
    const target = memoryStorage()
    const before = await createCheckpointer({ storage: target, filepath: 'mine/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    // Saved after the source's checkpoints, with losses the source's best (0.2) beats.
    for (const epoch of [0, 1])
      await before.onEpochEnd({ epoch, logs: { loss: 0.7 - epoch / 10 }, time: 1_800_000_000_000 + epoch }, weightsAt(epoch))
    const state = before.state
    await before.close()
    await importCheckpoints(target, await bytesOf(await exportRun(source)), quiet)
    const after = await createCheckpointer({ storage: target, filepath: 'mine/e{epoch}.safetensors', monitor: 'loss', ...quiet })
    expect(after.state).toEqual(state)
    // Listed in save order, the imported ones (saved earlier) first.
    expect((await after.list()).map((e) => e.path)).toEqual([
      'ckpt/e04.safetensors',
      'ckpt/e06.safetensors',
      'mine/e1.safetensors',
      'mine/e2.safetensors',
    ])
    await after.close()
  })
})
