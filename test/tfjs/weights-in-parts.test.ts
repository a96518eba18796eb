import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { readLayersModel } from '../../src/adapters/tfjs/layers-read.js'
import { collectParts } from '../../src/storage/data.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { dataset, optimizerBytes, tinyModel, weightBytes } from './support/fixtures.js'

describe('a tfjs model whose weight file is read as several buffers (as past 4 GiB, where one buffer cannot hold it)', () => {
  beforeAll(() => useBackend('cpu'))

  it('loads the same weights and optimizer state when the buffers cut through weights', async () => {
    const model = tinyModel(tf.train.adam(0.01))
    const { x, y } = dataset()
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 })
    tf.dispose([x, y])
    const storage = memoryStorage()
    await model.save(storageIOHandler(storage, 'm/model.json'), { includeOptimizer: true })
    const partSizes: number[] = []
    // 100 bytes a buffer: every weight of the tiny model spans two or more of them.
    const artifacts = await readLayersModel(
      'm/model.json',
      (k) => storage.read(k),
      async (k) => {
        const parts = await collectParts(await storage.readStream(k), (await storage.stat(k))!.size, 100)
        partSizes.push(...parts.map((p) => p.byteLength))
        return parts
      },
    )
    expect(partSizes.length).toBeGreaterThan(3)
    expect(Math.max(...partSizes)).toBe(100)
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts))
    expect(weightBytes(loaded)).toEqual(weightBytes(model))
    expect(await optimizerBytes(loaded.optimizer)).toEqual(await optimizerBytes(model.optimizer))
    model.dispose()
    loaded.dispose()
  })
})

describe('collectParts', () => {
  const chunks = async function* (sizes: ReadonlyArray<number>) {
    let k = 0
    for (const n of sizes) yield Uint8Array.from({ length: n }, () => k++ & 0xff)
  }
  it('fills buffers of the part size in order, the last one shorter', async () => {
    const parts = await collectParts(chunks([3, 250, 1, 46]), 300, 128)
    expect(parts.map((p) => p.byteLength)).toEqual([128, 128, 44])
    const all = new Uint8Array(300)
    let at = 0
    for (const p of parts) {
      all.set(new Uint8Array(p), at)
      at += p.byteLength
    }
    expect([...all]).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff))
  })
  it('refuses more bytes than the size given', async () => {
    await expect(collectParts(chunks([200, 101]), 300, 128)).rejects.toThrow(RangeError)
  })
})
