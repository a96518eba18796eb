import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { disposeSnapshot, readSnapshot, takeSnapshot } from '../../src/adapters/tfjs/snapshot.js'
import type { Tensors } from '../../src/tensors/index.js'
import { BACKENDS, dataset, optimizerBytes, tinyModel, weightBytes } from './support/fixtures.js'

const recordBytes = (ts: Tensors): Record<string, Uint8Array> =>
  Object.fromEntries(
    Object.entries(ts).map(([k, t]) => [k, new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength))]),
  )

/** a * b as float32 arithmetic does it. */
const f32mul = (a: number, b: number): number => Math.fround(Math.fround(a) * Math.fround(b))

describe.each(BACKENDS)('snapshots on %s', (backend) => {
  let data: { x: tf.Tensor2D; y: tf.Tensor2D }
  beforeAll(async () => {
    await useBackend(backend)
    data = dataset()
  })
  afterAll(() => tf.dispose([data.x, data.y]))

  it('share the weights buffers: taking one allocates no data buffer', async () => {
    const model = tinyModel(tf.train.adam(0.01))
    const before = tf.memory()
    const backendBuffers = tf.engine().backend.numDataIds()
    const snap = await takeSnapshot(model)
    const during = tf.memory()
    expect(during.numTensors - before.numTensors).toBe(model.weights.length)
    expect(during.numDataBuffers).toBe(before.numDataBuffers)
    expect(tf.engine().backend.numDataIds()).toBe(backendBuffers)
    disposeSnapshot(snap)
    expect(tf.memory().numTensors).toBe(before.numTensors)
    model.dispose()
  })

  it('keep their values after the optimizer assigns new ones, weights and optimizer state alike', async () => {
    const model = tinyModel(tf.train.adam(0.05))
    await model.trainOnBatch(data.x, data.y) // creates the Adam moments
    const weightsThen = weightBytes(model)
    const optimizerThen = await optimizerBytes(model.optimizer)
    const snap = await takeSnapshot(model, { includeOptimizer: true })
    for (let i = 0; i < 3; i++) await model.trainOnBatch(data.x, data.y)
    expect(weightBytes(model)).not.toEqual(weightsThen)
    expect(await optimizerBytes(model.optimizer)).not.toEqual(optimizerThen)

    const read = await readSnapshot(snap)
    expect(recordBytes(read.weights)).toEqual(weightsThen)
    expect(Object.entries(recordBytes(read.optimizer))).toEqual(optimizerThen) // same names, same order, same bytes
    expect(Object.keys(read.weights)).toEqual(['hidden/kernel', 'hidden/bias', 'out/kernel', 'out/bias'])
    expect(read.weights['hidden/kernel']).toMatchObject({ dtype: 'F32', shape: [4, 6] })
    expect(read.optimizer['iter']).toMatchObject({ dtype: 'I32', shape: [] })
    expect(Array.from(read.optimizer['iter']!.data as Int32Array)).toEqual([1])
    expect(read.optimizerHidden).toEqual({
      optimizer: 'Adam',
      iterations: 1,
      values: { accBeta1: f32mul(0.9, 0.9), accBeta2: f32mul(0.999, 0.999) },
    })
    model.dispose()
  })

  it('leak no tensor across 100 snapshots with optimizer state, read or discarded', async () => {
    const model = tinyModel(tf.train.rmsprop(0.01))
    await model.trainOnBatch(data.x, data.y)
    const before = tf.memory()
    for (let i = 0; i < 100; i++) {
      const snap = await takeSnapshot(model, { includeOptimizer: true })
      if (i % 10 === 0) await model.trainOnBatch(data.x, data.y)
      if (i % 2 === 0) await readSnapshot(snap)
      else disposeSnapshot(snap)
    }
    const after = tf.memory()
    expect(after.numTensors).toBe(before.numTensors)
    expect(after.numDataBuffers).toBe(before.numDataBuffers)
    expect(after.numBytes).toBe(before.numBytes)
    model.dispose()
  })

  it('skip the optimizer unless asked, and work on a model without one', async () => {
    const model = tinyModel()
    const snap = await takeSnapshot(model, { includeOptimizer: true })
    const read = await readSnapshot(snap)
    expect(read.optimizer).toEqual({})
    expect(recordBytes(read.weights)).toEqual(weightBytes(model))
    const compiled = tinyModel(tf.train.adam(0.01))
    await compiled.trainOnBatch(data.x, data.y)
    expect((await readSnapshot(await takeSnapshot(compiled))).optimizer).toEqual({})
    model.dispose()
    compiled.dispose()
  })
})
