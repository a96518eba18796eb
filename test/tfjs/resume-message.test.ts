import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { restoreBest, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, tinyModel } from './support/fixtures.js'
import { FIT } from './support/resume-setup.js'

const EPOCHS_1_BASED = '(epochs counted from 1, as Keras prints them)'

describe('resuming says what it resumed from and where training continues (verbose >= 1), and nothing at verbose 0', () => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend('cpu')
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it('restoreLatest, restoreBest, and a modelCheckpoint opening the index at train begin', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.adam(0.01))
    const losses = [0.3, 0.1, 0.2, 0.4]
    const scored = new tfl.CustomCallback({ onEpochEnd: (epoch, logs) => void (logs && (logs.score = losses[epoch]!)) })
    const options = { storage, filepath: 'e{epoch:02d}/model.json', monitor: 'score', mode: 'min' as const }
    await model.fit(data.x, data.y, { ...FIT, epochs: 3, callbacks: [scored, modelCheckpoint({ ...options, log: () => {} })] })

    const lines: string[] = []
    const log = (l: string) => lines.push(l)
    const latest = (await restoreLatest(storage, { verbose: 1, log }))!
    const best = (await restoreBest(storage, { verbose: 1, log }))!
    expect(lines).toEqual([
      `Resumed from e03/model.json (saved at the end of epoch 3); training continues at epoch 4 ${EPOCHS_1_BASED}.`,
      `Resumed from e02/model.json (saved at the end of epoch 2); training continues at epoch 3 ${EPOCHS_1_BASED}.`,
    ])
    expect([latest.initialEpoch, best.initialEpoch]).toEqual([3, 2])

    const silent: string[] = []
    for (const m of [
      (await restoreLatest(storage, { log: (l) => silent.push(l) }))!,
      (await restoreBest(storage, { verbose: 0, log: (l) => silent.push(l) }))!,
    ])
      m.model.dispose()
    expect(silent).toEqual([])

    // modelCheckpoint with verbose 1 opens the index at train begin: the Checkpointer's line comes before any epoch's.
    const opened: string[] = []
    await latest.model.fit(data.x, data.y, {
      ...FIT,
      epochs: 4,
      initialEpoch: latest.initialEpoch,
      callbacks: [scored, modelCheckpoint({ ...options, verbose: 1, log: (l) => opened.push(l) })],
    })
    expect(opened[0]).toBe(
      `Resumed from e03/model.json (saved at the end of epoch 3); training continues at epoch 4 ${EPOCHS_1_BASED}. The index holds 3 checkpoints.`,
    )
    expect(opened[1]).toBe('Epoch 4: saving model to e04/model.json')
    for (const m of [model, latest.model, best.model]) m.dispose()
  })

  it('after a batch-level save, tfjs runs the epoch again from its first batch, and says so', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.01))
    // 3 batches an epoch, a save every 4: the last one after batch 2 of epoch 2 (1-based).
    await model.fit(data.x, data.y, {
      ...FIT,
      epochs: 2,
      callbacks: [modelCheckpoint({ storage, filepath: 'b{epoch}-{batch}/model.json', monitor: 'loss', saveFreq: 4, log: () => {} })],
    })
    const lines: string[] = []
    const r = (await restoreLatest(storage, { verbose: 1, log: (l) => lines.push(l) }))!
    expect(r.initialEpoch).toBe(1)
    expect(lines).toEqual([
      'Resumed from b2-1/model.json (saved after batch 1 of epoch 2); epoch 2 runs again from its first batch (tfjs cannot start mid-epoch) (epochs and batches counted from 1, as Keras prints them).',
    ])
    for (const m of [model, r.model]) m.dispose()
  })

  it('fitResumable: the backup it resumes from, at verbose 1 only', async () => {
    for (const verbose of [1, 0]) {
      const storage = memoryStorage()
      const stop = new tfl.CustomCallback({
        onEpochEnd: (epoch) => {
          if (epoch === 1) throw new Error('interrupted')
        },
      })
      const first = tinyModel(tf.train.sgd(0.01))
      await expect(
        fitResumable(first, data.x, data.y, { ...FIT, epochs: 4, callbacks: [stop] }, { storage, log: () => {} }),
      ).rejects.toThrow('interrupted')
      const lines: string[] = []
      const again = tinyModel(tf.train.sgd(0.01))
      const h = await fitResumable(again, data.x, data.y, { ...FIT, epochs: 4 }, { storage, verbose, log: (l) => lines.push(l) })
      expect(h.epoch).toEqual([2, 3])
      const resumed = lines.filter((l) => l.startsWith('Resumed from'))
      expect(resumed).toEqual(
        verbose === 1
          ? [`Resumed from backup/model.json (saved at the end of epoch 2); training continues at epoch 3 ${EPOCHS_1_BASED}.`]
          : [],
      )
      for (const m of [first, again]) m.dispose()
    }
  })
})
