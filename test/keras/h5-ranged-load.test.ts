import { open, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKerasWeights, saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { readWeightsH5 } from '../../src/keras/h5.js'
import { PAGE_BYTES, storageSource } from '../../src/keras/h5-source.js'
import { weightsH5 } from '../../src/keras/h5-write.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { ByteRange, Storage } from '../../src/storage/storage.js'
import { randomizeWeights } from './support/archs.js'

// loadKerasWeights reads a .weights.h5 in ranges: the structure through small reads, then each weight's bytes in a
// read of their own, straight into the array the model gets. It never reads the file whole, so a file past 4 GiB
// (which no single read can return in Node) loads.

const MiB = 2 ** 20

/** A storage that records every read (its range, or 'whole'). */
const recording = (inner: Storage): { storage: Storage; reads: Array<ByteRange | 'whole'> } => {
  const reads: Array<ByteRange | 'whole'> = []
  return {
    reads,
    storage: {
      ...inner,
      read: (key, range) => {
        reads.push(range ?? 'whole')
        return inner.read(key, range)
      },
    },
  }
}

describe('loadKerasWeights reads ranges, never the whole file', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('four 1 MiB kernels: the structure in page reads, each kernel in one read of exactly its bytes', async () => {
    const make = () =>
      tfl.sequential({
        layers: [0, 1, 2, 3].map((i) => tfl.layers.dense({ units: 512, inputShape: i === 0 ? [512] : undefined, useBias: i % 2 === 0 })),
      })
    const saved = make()
    randomizeWeights(saved, 5)
    const base = memoryStorage()
    await saveKerasWeights(saved, base, 'm.weights.h5')
    const size = (await base.stat('m.weights.h5'))!.size
    expect(size).toBeGreaterThan(4 * MiB)

    const { storage, reads } = recording(base)
    const model = make()
    await loadKerasWeights(model, storage, 'm.weights.h5')
    model.weights.forEach((w, i) => expect(w.read().dataSync(), w.name).toEqual(saved.weights[i]!.read().dataSync()))

    expect(reads).not.toContain('whole')
    const ranges = reads as ByteRange[]
    const kernels = ranges.filter((r) => r.end - r.start === MiB)
    expect(kernels).toHaveLength(4)
    for (const r of ranges.filter((r) => r.end - r.start !== MiB)) expect(r.end - r.start).toBeLessThanOrEqual(PAGE_BYTES)
    expect(ranges.reduce((n, r) => n + (r.end - r.start), 0)).toBeLessThan(size + 4 * PAGE_BYTES)
  })

  it('a file of 4 GiB and more (sparse on disk): a weight past 4 GiB is read at its place', async () => {
    // Dataset 0 takes 4 GiB - 64 bytes: an array never touched (no memory), whose bytes are never written (a hole).
    const big = new Float32Array(2 ** 30 - 16)
    const tail = Float32Array.of(1.5, -2.5, 3.25, 4)
    const h5 = weightsH5({
      groups: [
        { path: '', name: 'huge', vars: [] },
        { path: 'layers/dense', name: 'dense', vars: [{ dtype: 'float32', shape: [big.length], data: big }] },
        { path: 'layers/dense_1', name: 'dense_1', vars: [{ dtype: 'float32', shape: [4], data: tail }] },
      ],
    })
    if (h5._tag === 'Left') throw new Error(h5.left.message)
    const [metadata, , ...rest] = h5.right.chunks
    const tailAt = h5.right.size - rest.reduce((n, c) => n + c.length, 0)
    expect(tailAt).toBeGreaterThan(2 ** 32)
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-h5-4g-'))
    try {
      const file = await open(join(dir, 'huge.weights.h5'), 'w')
      await file.write(metadata!, 0, metadata!.length, 0)
      await file.write(new Uint8Array(tail.buffer), 0, 16, tailAt)
      await file.truncate(h5.right.size)
      await file.close()

      const { storage, reads } = recording(fsStorage(dir))
      const source = await storageSource(storage, 'huge.weights.h5')
      expect(source.size).toBe(h5.right.size)
      const lazy = await readWeightsH5(source, 'huge.weights.h5')
      if (lazy._tag === 'Left') throw new Error(lazy.left.message)
      const group = lazy.right.groups.find((g) => g.path === 'layers/dense_1')!
      expect(await group.vars[0]!.data()).toEqual(tail)
      expect(lazy.right.groups.find((g) => g.path === 'layers/dense')!.vars[0]!.shape).toEqual([big.length])
      expect(reads).not.toContain('whole')
      expect(Math.max(...(reads as ByteRange[]).map((r) => r.end - r.start))).toBeLessThanOrEqual(PAGE_BYTES)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
