import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { decodeSafetensors } from '../../src/tensors/index.js'
import { quiet, tensorsFor } from './support.js'

describe('Checkpointer: save and restore', () => {
  it('saves at each epoch end under the rendered path and restores the exact tensors', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({
      storage,
      filepath: 'ckpt/epoch_{epoch:02d}-loss_{loss:.3f}.safetensors',
      monitor: 'loss',
      ...quiet,
    })
    for (let epoch = 0; epoch < 3; epoch++) {
      const out = await ckpt.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
      expect(out.saved).toBe(true)
    }
    expect((await ckpt.list()).map((e) => e.path)).toEqual([
      'ckpt/epoch_01-loss_1.000.safetensors',
      'ckpt/epoch_02-loss_0.500.safetensors',
      'ckpt/epoch_03-loss_0.333.safetensors',
    ])
    const restored = await ckpt.restore('latest')
    expect(restored.entry.epoch).toBe(2)
    expect(restored.value).toEqual(tensorsFor(2))
    // The artifact is a plain safetensors file anyone can read.
    const raw = decodeSafetensors(await storage.read('ckpt/epoch_02-loss_0.500.safetensors'))
    expect(raw._tag).toBe('Right')
    if (raw._tag === 'Right') expect(raw.right.tensors['dense/bias']?.data).toEqual(tensorsFor(1)['dense/bias']!.data)
  })

  it('copies the snapshot before returning, so later changes by the caller do not leak into the checkpoint', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'a.safetensors', monitor: 'loss', async: true, ...quiet })
    const live = tensorsFor(7)
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, live)
    ;(live['dense/bias']!.data as Float32Array).fill(999)
    await ckpt.flush()
    expect((await ckpt.restore()).value).toEqual(tensorsFor(7))
  })

  it('takes a snapshot function only when saving', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'b.safetensors', monitor: 'loss', saveBestOnly: true, ...quiet })
    let taken = 0
    const take = () => {
      taken++
      return tensorsFor(taken)
    }
    await ckpt.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, take)
    await ckpt.onEpochEnd({ epoch: 1, logs: { loss: 2 } }, take)
    await ckpt.onEpochEnd({ epoch: 2, logs: { loss: 0.5 } }, take)
    expect(taken).toBe(2)
  })

  it('best() follows the monitor and restore("best") returns it', async () => {
    const storage = memoryStorage()
    const ckpt = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'val_acc', ...quiet })
    const accs = [0.5, 0.9, 0.7]
    for (const [epoch, acc] of accs.entries()) await ckpt.onEpochEnd({ epoch, logs: { val_acc: acc } }, tensorsFor(epoch))
    expect((await ckpt.best())?.path).toBe('e2.safetensors')
    expect((await ckpt.restore('best')).value).toEqual(tensorsFor(1))
    expect((await ckpt.restore('e1.safetensors')).value).toEqual(tensorsFor(0))
  })

  it('rejects a restore when there is nothing to restore, naming the cause', async () => {
    const ckpt = await createCheckpointer({ storage: memoryStorage(), filepath: 'x.safetensors', monitor: 'loss', ...quiet })
    await expect(ckpt.restore()).rejects.toMatchObject({ _tag: 'NoSuchCheckpoint' })
    await expect(ckpt.restore('nope.safetensors')).rejects.toMatchObject({ _tag: 'NoSuchCheckpoint' })
  })

  it('emits Keras verbose lines, with "finished saving" after the commit', async () => {
    const lines: string[] = []
    const ckpt = await createCheckpointer({
      storage: memoryStorage(),
      filepath: 'm.safetensors',
      saveBestOnly: true,
      verbose: 1,
      log: (l) => lines.push(l),
    })
    await ckpt.onEpochEnd({ epoch: 0, logs: { val_loss: 0.25 } }, tensorsFor(0))
    await ckpt.onEpochEnd({ epoch: 1, logs: { val_loss: 0.5 } }, tensorsFor(1))
    expect(lines).toEqual([
      'Epoch 1: val_loss improved from None to 0.25000, saving model to m.safetensors',
      'Epoch 1: finished saving model to m.safetensors',
      'Epoch 2: val_loss did not improve from 0.25000',
    ])
  })
})
