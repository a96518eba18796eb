import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { restoreBest, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { ckpt } from '../cli/support.js'
import { tempDir } from '../checkpointer/support.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'

const tmp = tempDir()
afterAll(tmp.cleanup)
let data: { x: tf.Tensor2D; y: tf.Tensor2D }
beforeAll(async () => {
  await useBackend('cpu')
  data = dataset()
})
afterAll(() => tf.dispose([data.x, data.y]))

/** Trains 3 epochs with a checkpoint per epoch in `dir` (model.json, keep all), then deletes the index. */
const runThenLoseIndex = async (dir: string): Promise<{ storage: Storage; models: tfl.LayersModel[]; losses: number[] }> => {
  const storage = fsStorage(dir)
  const model = tinyModel(tf.train.adam(0.05))
  const models: tfl.LayersModel[] = []
  const losses: number[] = []
  const snapshot = new tfl.CustomCallback({
    onEpochEnd: async (_e, logs) => {
      losses.push(logs!.loss as number)
      const copy = tinyModel(tf.train.adam(0.05))
      copy.setWeights(model.getWeights())
      models.push(copy)
    },
  })
  await model.fit(data.x, data.y, {
    epochs: 3,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
    callbacks: [modelCheckpoint({ storage, filepath: 'e{epoch}/model.json', monitor: 'loss', log: () => {} }), snapshot],
  })
  await storage.remove('ckpt-index.json')
  return { storage, models, losses }
}

const listing = async (storage: Storage) => [...(await storage.list())].sort()

describe('a lost index on the read paths: rebuilt in memory from a scan, without writing, and said', () => {
  it('restoreLatest resumes from the newest checkpoint, not from scratch', async () => {
    const { storage, models } = await runThenLoseIndex(`${tmp.dir}/latest`)
    const before = await listing(storage)
    const lines: string[] = []
    const r = await restoreLatest(storage, { log: (l) => lines.push(l) })
    expect(r).not.toBeNull()
    expect(r!.entry.path).toBe('e3/model.json')
    expect(r!.initialEpoch).toBe(3)
    expect(weightBytes(r!.model)).toEqual(weightBytes(models[2]!))
    expect(lines.join('\n')).toMatch(
      /No index \(ckpt-index\.json\) in .*: rebuilt it in memory from 3 checkpoint\(s\) found by a scan; nothing was written/,
    )
    expect(await listing(storage)).toEqual(before)
  })

  it('restoreBest ranks by the monitor and mode the checkpoints recorded', async () => {
    const { storage, models, losses } = await runThenLoseIndex(`${tmp.dir}/best`)
    const best = losses.indexOf(Math.min(...losses))
    const r = await restoreBest(storage, { log: () => {} })
    expect(r!.entry.path).toBe(`e${best + 1}/model.json`)
    expect(weightBytes(r!.model)).toEqual(weightBytes(models[best]!))
  })

  it('fitResumable continues after the newest checkpoint', async () => {
    const dir = `${tmp.dir}/fitres`
    const storage = fsStorage(dir)
    const model = tinyModel(tf.train.sgd(0.1))
    const stop = new tfl.CustomCallback({
      onEpochEnd: async (e) => {
        if (e === 1) throw new Error('interrupted')
      },
    })
    await expect(
      fitResumable(model, data.x, data.y, { epochs: 4, verbose: 0, callbacks: [stop] }, { storage, log: () => {} }),
    ).rejects.toThrow('interrupted')
    await storage.remove('ckpt-index.json')
    const lines: string[] = []
    const h = await fitResumable(
      tinyModel(tf.train.sgd(0.1)),
      data.x,
      data.y,
      { epochs: 4, verbose: 0 },
      { storage, verbose: 1, log: (l) => lines.push(l) },
    )
    expect(h.epoch).toEqual([2, 3])
    expect(lines.join('\n')).toContain('rebuilt it in memory')
    expect(lines.join('\n')).toMatch(/Resumed from backup\/model.json \(saved at the end of epoch 2\); training continues at epoch 3/)
  })

  it('ckpt ls and ckpt verify list and verify the checkpoints found, say so, and write nothing', async () => {
    const { storage } = await runThenLoseIndex(`${tmp.dir}/cli`)
    const before = await listing(storage)
    const ls = await ckpt(['ls', `${tmp.dir}/cli`, '--json'])
    expect(ls.code).toBe(0)
    const out = JSON.parse(ls.stdout) as { rebuilt: boolean; checkpoints: Array<{ path: string }>; monitor: string }
    expect(out.rebuilt).toBe(true)
    expect(out.monitor).toBe('loss')
    expect(out.checkpoints.map((c) => c.path)).toEqual(['e1/model.json', 'e2/model.json', 'e3/model.json'])
    const text = await ckpt(['ls', `${tmp.dir}/cli`])
    expect(text.stdout).toMatch(/^note: No index/)
    const verify = await ckpt(['verify', `${tmp.dir}/cli`])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain('all 3 checkpoints verify')
    expect(verify.stdout).toContain('note: No index')
    expect(await listing(storage)).toEqual(before)
  })
})
