import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { tfjsLayersSerializer } from '../../src/adapters/tfjs/serializers.js'
import { INDEX_KEY, type Entry } from '../../src/checkpointer/index-file.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { dataset, fsTestStorage, tinyModel, weightBytes, type TestStorage } from './support/fixtures.js'

const FIT = { batchSize: 8, shuffle: false, verbose: 0 } as const
const options = { filepath: 'run/e{epoch:02d}-{loss:.4f}/model.json', monitor: 'loss', saveTopK: 2, log: () => {} } as const

/** An entry without what a rebuild cannot know the order of: its files, sorted by key. */
const comparable = (e: Entry) => ({ ...e, files: [...e.files].sort((a, b) => a.key.localeCompare(b.key)) })

describe('tfjs layers checkpoints: a lost index is rebuilt from the model.json files (cpu)', () => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  let t: TestStorage
  beforeAll(async () => {
    await useBackend('cpu')
    data = dataset()
    t = await fsTestStorage()
  })
  afterAll(async () => {
    tf.dispose([data.x, data.y])
    await t.cleanup()
  })

  it('scan finds each kept checkpoint with its entry data and fresh checksums, and only ckpt checkpoints', async () => {
    const { storage } = t
    const model = tinyModel(tf.train.adam(0.01))
    await model.fit(data.x, data.y, { ...FIT, epochs: 4, callbacks: [modelCheckpoint({ storage, ...options })] })
    const other = tinyModel(tf.train.sgd(0.1))
    await other.save(storageIOHandler(storage, 'unrelated/model.json')) // a tfjs model, not a checkpoint
    const before = (await loadIndex(storage))!.doc.checkpoints
    expect(before).toHaveLength(2)

    const found = await tfjsLayersSerializer().scan!(storage)
    expect(found.map((f) => f.path).sort()).toEqual(before.map((e) => e.path).sort())
    for (const f of found) {
      const e = before.find((b) => b.path === f.path)!
      expect(f.meta).toEqual({
        epoch: e.epoch,
        step: e.step,
        batch: e.batch,
        metrics: e.metrics,
        score: e.score,
        time: e.time,
        policyState: e.policyState,
        ranking: { monitor: 'loss', mode: 'min' },
      })
      expect([...f.files].sort((a, b) => a.key.localeCompare(b.key))).toEqual(comparable(e).files)
      expect(f.files.at(-1)!.key).toBe(f.path) // model.json last, the commit point
    }

    await storage.remove(INDEX_KEY)
    // No index: a reader rebuilds it in memory and writes nothing (issue 10 item 9); a writer rebuilds it on disk.
    const read = await restoreLatest(storage, { log: () => {} })
    expect(read!.entry.path).toBe(before.at(-1)!.path)
    read!.model.dispose()
    expect(await storage.stat(INDEX_KEY)).toBeNull()
    const cb = modelCheckpoint({ storage, ...options })
    const rebuilt = await cb.list() // opening the Checkpointer rebuilds the index by scanning
    expect(rebuilt.map(comparable)).toEqual(before.map(comparable))
    const r = await restoreLatest(storage)
    expect(r!.entry.path).toBe(before.at(-1)!.path)
    expect(r!.initialEpoch).toBe(4)
    expect(weightBytes(r!.model)).toEqual(weightBytes(model))
    for (const m of [model, other, r!.model]) m.dispose()
  })
})
