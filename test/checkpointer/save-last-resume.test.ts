import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import type { Tensors } from '../../src/tensors/index.js'

/** val_loss per (0-based) epoch: it improves once, at epoch 1, then never again (the run). */
const VAL_LOSS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99]
const EPOCHS = VAL_LOSS.length

/** One epoch of a framework-free "model": the weights move deterministically, in float32. */
const trainEpoch = (w: Float32Array, epoch: number): void => {
  for (let i = 0; i < w.length; i++) w[i] = w[i]! * 0.75 + (epoch + 1) * (i + 1) * 0.125
}
const snapshot = (w: Float32Array): Tensors => ({ w: { dtype: 'F32', shape: [w.length], data: w } })

/**
 * One process's life, as the README's training loop: resume from the newest checkpoint that verifies (or start), then
 * train until `EPOCHS`, or until it is killed in the epoch `killedIn` (0-based; that epoch never ends).
 */
const session = async (storage: Storage, extra: Record<string, unknown>, killedIn: number | null) => {
  const lines: string[] = []
  const ckpt = await createCheckpointer({
    storage,
    filepath: 'checkpoints/epoch_{epoch:02d}-val_loss_{val_loss:.4f}.safetensors',
    saveBestOnly: true,
    verbose: 1,
    log: (l) => lines.push(l),
    ...extra,
  })
  const resumed = (await ckpt.latest()) ? await ckpt.restore('latest') : null
  const w = resumed ? (resumed.value.w!.data as Float32Array) : new Float32Array(8).fill(1)
  const trained: number[] = []
  for (let epoch = resumed ? resumed.entry.epoch + 1 : 0; epoch < EPOCHS; epoch++) {
    trained.push(epoch + 1)
    trainEpoch(w, epoch)
    if (epoch === killedIn) break
    await ckpt.onEpochEnd({ epoch, logs: { val_loss: VAL_LOSS[epoch]!, loss: 1 }, time: 1000 + epoch }, snapshot(w))
  }
  await ckpt.flush()
  const entries = (await ckpt.list()).map(({ path, epoch, metrics, policyState, last }) => ({ path, epoch, metrics, policyState, last }))
  const out = { w: [...w], trained, lines, entries, state: ckpt.state, best: (await ckpt.best())?.path }
  await ckpt.close()
  return out
}

describe.each([false, true])(
  'saveLast with saveBestOnly (async: %s): a killed run resumes where it was, not at the last improvement',
  (async) => {
    it('without saveLast the run killed in epoch 6 resumes at epoch 1 and redoes epochs 2 to 6 (the issue); with it, it resumes at epoch 6 and ends exactly as the uninterrupted run: weights, checkpoints, best, policy state, messages', async () => {
      const plain = memoryStorage()
      expect((await session(plain, { async }, 5)).trained).toEqual([1, 2, 3, 4, 5, 6])
      expect((await session(plain, { async }, null)).trained).toEqual([2, 3, 4, 5, 6, 7, 8])

      const straight = await session(memoryStorage(), { async, saveLast: true }, null)
      const storage = memoryStorage()
      const killed = await session(storage, { async, saveLast: true }, 5)
      expect(killed.trained).toEqual([1, 2, 3, 4, 5, 6])
      const again = await session(storage, { async, saveLast: true }, null)
      expect(again.trained).toEqual([6, 7, 8])
      expect(again.lines[0]).toBe(
        'Resumed from checkpoints/last.safetensors (saved at the end of epoch 5); training continues at epoch 6 (epochs counted from 1, as Keras prints them). The index holds 2 checkpoints; the best val_loss so far is 0.5.',
      )
      // The best tracking goes on as if nothing happened: Keras's lines of the uninterrupted run, from epoch 6 on (the
      // lines after a commit come when the background save ends, with async).
      const decided = (lines: ReadonlyArray<string>) => lines.filter((l) => !l.includes('finished saving'))
      expect(decided(again.lines.slice(1))).toEqual(
        decided(straight.lines).slice(decided(straight.lines).indexOf('Epoch 6: val_loss did not improve from 0.50000')),
      )
      expect(again.lines.filter((l) => l.includes('finished saving'))).toEqual(
        [6, 7, 8].map((e) => `Epoch ${e}: finished saving the last checkpoint to checkpoints/last.safetensors`),
      )
      expect(again.w).toEqual(straight.w)
      expect(again.entries).toEqual(straight.entries)
      expect(again.state).toEqual(straight.state)
      expect(again.entries.map((e) => [e.path, e.epoch, e.last])).toEqual([
        ['checkpoints/epoch_01-val_loss_0.5000.safetensors', 0, undefined],
        ['checkpoints/last.safetensors', 7, true],
      ])
      // `last` is the newest, never the best.
      expect(again.best).toBe('checkpoints/epoch_01-val_loss_0.5000.safetensors')
      expect(again.state.best).toBe(0.5)
    })
  },
)
