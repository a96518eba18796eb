import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { dataset, tinyModel, weightBytes } from './support/fixtures.js'

beforeAll(async () => {
  await useBackend('cpu')
})

const bytes = (s: string) => new TextEncoder().encode(s)

/** Rewrites the manifest of `key` so that it also lists `extra` paths (relative to model.json). */
const plantManifest = async (storage: Storage, key: string, extra: ReadonlyArray<string>) => {
  const json = JSON.parse(new TextDecoder().decode(await storage.read(key))) as tf.io.ModelJSON
  json.weightsManifest[0]!.paths.push(...extra)
  await storage.write(key, bytes(JSON.stringify(json)))
}

describe('saving over a model.json deletes only its own stale weight files', () => {
  const victims = { 'ckpt-index.json': 'the index', 'other-run/weights.bin': 'another run', 'run/notes.bin': 'a user file beside it' }

  it.each([
    [
      'storageIOHandler',
      async (storage: Storage, model: tfl.LayersModel): Promise<void> =>
        void (await model.save(storageIOHandler(storage, 'run/model.json'))),
    ],
    [
      'modelCheckpoint',
      async (storage: Storage, model: tfl.LayersModel): Promise<void> => {
        const { x, y } = dataset()
        await model.fit(x, y, {
          epochs: 1,
          verbose: 0,
          callbacks: [modelCheckpoint({ storage, filepath: 'run/model.json', monitor: 'loss', log: () => {} })],
        })
        tf.dispose([x, y])
      },
    ],
  ] as const)("through %s: files the old manifest names outside ckpt's own shards survive", async (_, save) => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.1))
    await save(storage, model)
    for (const [k, v] of Object.entries(victims)) if (k !== 'ckpt-index.json' || !(await storage.stat(k))) await storage.write(k, bytes(v))
    const index = await storage.read('ckpt-index.json').catch(() => null)
    const oldShards = (await storage.list('run/')).filter((k) => /group1-shard/.test(k))
    await plantManifest(storage, 'run/model.json', ['../ckpt-index.json', '../other-run/weights.bin', 'notes.bin'])
    await save(storage, model)
    expect(await storage.read('other-run/weights.bin')).toEqual(bytes(victims['other-run/weights.bin']))
    expect(await storage.read('run/notes.bin')).toEqual(bytes(victims['run/notes.bin']))
    expect(await storage.stat('ckpt-index.json')).not.toBeNull()
    if (index === null) expect(await storage.read('ckpt-index.json')).toEqual(bytes(victims['ckpt-index.json']))
    // The previous save's own shard is gone, and the new save loads.
    for (const k of oldShards) expect(await storage.stat(k)).toBeNull()
    const loaded = await tfl.loadLayersModel(storageIOHandler(storage, 'run/model.json'))
    expect(weightBytes(loaded)).toEqual(weightBytes(model))
  })
})
