import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint, type ModelCheckpointOptions } from '../../src/adapters/tfjs/callback.js'
import { restoreBest, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { BACKENDS, dataset, tinyModel, weightBytes } from './support/fixtures.js'
import { FIT, maskTokens } from './support/resume-setup.js'

const EPOCHS = 8
/** The monitored score per (0-based) epoch: it improves at epoch 1 only (the run: saved once, then never). */
const SCORE = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99]

/** Puts `score` into each epoch's logs; first in the list, so that modelCheckpoint (next) reads it. */
const scored = () =>
  new tfl.CustomCallback({
    onEpochEnd: (epoch, logs) => {
      if (logs) logs.score = SCORE[epoch]!
    },
  })
/** The process dies in the epoch `at` (0-based): at its second batch, before the epoch ends. */
const killedIn = (at: number) =>
  new tfl.CustomCallback({
    onEpochBegin: (epoch) => {
      if (epoch === at) killed = true
    },
    onBatchEnd: (batch) => {
      if (killed && batch === 1) throw new Error('killed')
    },
  })
let killed = false

const options = (storage: Storage, saveLast: boolean, lines: string[] = []): ModelCheckpointOptions => ({
  storage,
  filepath: 'ckpt/epoch_{epoch:02d}-score_{score:.2f}/model.json',
  monitor: 'score',
  mode: 'min',
  saveBestOnly: true,
  saveLast,
  verbose: 1,
  log: (l) => lines.push(l),
})

/** The kept checkpoints: files (weight file tokens masked), and the index entries and state. */
const kept = async (storage: Storage) => {
  const index = await loadIndex(storage)
  return {
    // The killed run never released its writer lock (it died); the lock is not a checkpoint.
    keys: maskTokens(await storage.list()).filter((k) => k !== 'ckpt-writer.lock'),
    entries: index?.doc.checkpoints.map(({ path, epoch, step, metrics, policyState, last }) => ({
      path,
      epoch,
      step,
      metrics,
      policyState,
      last,
    })),
    policyState: index?.doc.policyState,
  }
}

describe.each(BACKENDS)('saveLast with saveBestOnly, real tfjs training on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  /** Trains a copy of `initial` from scratch until it is killed in epoch 6 (0-based 5). */
  const killedRun = async (initial: tf.Tensor[], storage: Storage, saveLast: boolean) => {
    const model = tinyModel(tf.train.adam(0.02))
    model.setWeights(initial)
    killed = false
    const err = await model
      .fit(data.x, data.y, { ...FIT, epochs: EPOCHS, callbacks: [scored(), modelCheckpoint(options(storage, saveLast)), killedIn(5)] })
      .catch((e: unknown) => e)
    expect((err as Error).message).toBe('killed')
    model.dispose()
  }

  it('killed in epoch 6: without saveLast it resumes at epoch 2 (epochs 2 to 6 run again, the issue); with it, at epoch 6, and ends bit for bit as the uninterrupted run, keeping the same checkpoints', async () => {
    const initial = tinyModel(tf.train.adam(0.02)).getWeights()
    const plain = memoryStorage()
    await killedRun(initial, plain, false)
    const back = await restoreLatest(plain)
    expect([back?.entry.path, back?.initialEpoch]).toEqual(['ckpt/epoch_01-score_0.50/model.json', 1])
    back?.model.dispose()

    const straight = tinyModel(tf.train.adam(0.02))
    straight.setWeights(initial)
    const full = memoryStorage()
    const straightLines: string[] = []
    await straight.fit(data.x, data.y, {
      ...FIT,
      epochs: EPOCHS,
      callbacks: [scored(), modelCheckpoint(options(full, true, straightLines))],
    })

    const storage = memoryStorage()
    await killedRun(initial, storage, true)
    const said: string[] = []
    const r = (await restoreLatest(storage, { verbose: 1, log: (l) => said.push(l) }))!
    expect(r.entry.path).toBe('ckpt/last/model.json')
    expect(r.initialEpoch).toBe(5)
    expect(said).toEqual([
      'Resumed from ckpt/last/model.json (saved at the end of epoch 5); training continues at epoch 6 (epochs counted from 1, as Keras prints them).',
    ])
    const lines: string[] = []
    const h = await r.model.fit(data.x, data.y, {
      ...FIT,
      epochs: EPOCHS,
      initialEpoch: r.initialEpoch,
      callbacks: [scored(), modelCheckpoint(options(storage, true, lines))],
    })
    expect(h.epoch).toEqual([5, 6, 7])
    expect(weightBytes(r.model)).toEqual(weightBytes(straight))
    expect(await kept(storage)).toEqual(await kept(full))
    // The best value went on: Keras's lines of the uninterrupted run for epochs 6 to 8.
    expect(lines.filter((l) => l.includes('did not improve'))).toEqual(
      [6, 7, 8].map((e) => `Epoch ${e}: score did not improve from 0.50000`),
    )
    expect(lines.filter((l) => l.includes('did not improve'))).toEqual(straightLines.filter((l) => /^Epoch [678]: score did not/.test(l)))
    const best = (await restoreBest(storage))!
    expect(best.entry.path).toBe('ckpt/epoch_01-score_0.50/model.json')
    tf.dispose([...initial])
    for (const m of [straight, r.model, best.model]) m.dispose()
  })
})
