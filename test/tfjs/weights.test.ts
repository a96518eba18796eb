import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as E from 'fp-ts/lib/Either.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError, type WeightMismatch } from '../../src/adapters/tfjs/errors.js'
import { loadWeights, modelWeights, saveWeights, weightMismatches } from '../../src/adapters/tfjs/weights.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Tensors } from '../../src/tensors/index.js'
import { BACKENDS, STORAGES, dataset, tinyModel, weightBytes } from './support/fixtures.js'

const mismatchOf = async (p: Promise<void>): Promise<{ err: CkptTfjsError; list: ReadonlyArray<WeightMismatch> }> => {
  const err = await p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CkptTfjsError)
  const e = (err as CkptTfjsError).error
  if (e._tag !== 'WeightsMismatch') return expect.fail(`expected WeightsMismatch, got ${e._tag}: ${e.message}`)
  return { err: err as CkptTfjsError, list: e.mismatches }
}

describe.each(BACKENDS)('weights-only safetensors on %s', (backend) => {
  beforeAll(() => useBackend(backend))

  it.each(STORAGES)('round-trip into a fresh model object ($kind storage)', async ({ make }) => {
    const ts = await make()
    try {
      const model = tinyModel(tf.train.sgd(0.1))
      const { x, y } = dataset()
      await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 })
      await saveWeights(model, ts.storage, 'w/epoch_01.safetensors', { epoch: '1' })

      const fresh = tinyModel() // same architecture, other random initial values, variable names suffixed `_1`
      expect(fresh.weights[0]!.name).not.toBe(model.weights[0]!.name)
      expect(weightBytes(fresh)).not.toEqual(weightBytes(model))
      await loadWeights(fresh, ts.storage, 'w/epoch_01.safetensors')
      expect(weightBytes(fresh)).toEqual(weightBytes(model))
      tf.dispose([x, y])
    } finally {
      await ts.cleanup()
    }
  })

  it('the file is plain safetensors keyed by the layers weight names', async () => {
    const storage = memoryStorage()
    const model = tinyModel()
    await saveWeights(model, storage, 'w.safetensors', { framework: 'tfjs' })
    const decoded = decodeSafetensors(await storage.read('w.safetensors'))
    if (E.isLeft(decoded)) return expect.fail(decoded.left.message)
    expect(decoded.right.metadata).toEqual({ framework: 'tfjs' })
    const t = decoded.right.tensors
    expect(Object.keys(t).sort()).toEqual(['hidden/bias', 'hidden/kernel', 'out/bias', 'out/kernel'])
    expect(t['hidden/kernel']).toMatchObject({ dtype: 'F32', shape: [4, 6] })
    expect(Array.from(t['out/kernel']!.data as Float32Array)).toEqual(Array.from(model.weights[2]!.read().dataSync()))
  })

  it('modelWeights returns copies: changing them changes nothing in the model', () => {
    const model = tinyModel()
    const before = weightBytes(model)
    const w = modelWeights(model)
    ;(w['hidden/kernel']!.data as Float32Array).fill(42)
    expect(weightBytes(model)).toEqual(before)
  })

  it('refuses a shape mismatch and changes nothing, although the other weights match', async () => {
    const storage = memoryStorage()
    const model = tinyModel()
    const w = { ...modelWeights(model), 'out/bias': { dtype: 'F32' as const, shape: [1, 1], data: new Float32Array(1) } }
    await storage.write('w.safetensors', encodeSafetensorsOrThrow(w))
    const target = tinyModel()
    const before = weightBytes(target)
    const { err, list } = await mismatchOf(loadWeights(target, storage, 'w.safetensors'))
    expect(list).toEqual([{ _tag: 'Shape', name: 'out/bias', expected: [1], actual: [1, 1] }])
    expect(err.message).toContain("shape of 'out/bias': model [1], file [1, 1]")
    expect(err.message).toContain('nothing was changed')
    expect(weightBytes(target)).toEqual(before)
  })

  it('lists missing, unexpected, shape and dtype mismatches in one error', async () => {
    const storage = memoryStorage()
    const w: Tensors = {
      'hidden/kernel': { dtype: 'I32', shape: [4, 6], data: new Int32Array(24) },
      'hidden/bias': { dtype: 'F32', shape: [7], data: new Float32Array(7) },
      'out/kernel': { dtype: 'F32', shape: [6, 1], data: new Float32Array(6) },
      'extra/kernel': { dtype: 'F32', shape: [1], data: new Float32Array(1) },
    }
    await storage.write('w.safetensors', encodeSafetensorsOrThrow(w))
    const target = tinyModel()
    const before = weightBytes(target)
    const { err, list } = await mismatchOf(loadWeights(target, storage, 'w.safetensors'))
    expect(list).toEqual([
      { _tag: 'Dtype', name: 'hidden/kernel', expected: 'float32', actual: 'I32' },
      { _tag: 'Shape', name: 'hidden/bias', expected: [6], actual: [7] },
      { _tag: 'Missing', name: 'out/bias' },
      { _tag: 'Unexpected', name: 'extra/kernel' },
    ])
    expect(err.message).toMatch(/4 mismatches/)
    for (const s of ["dtype of 'hidden/kernel'", "missing 'out/bias'", "unexpected 'extra/kernel'"]) expect(err.message).toContain(s)
    expect(weightBytes(target)).toEqual(before)
  })

  it('shows the first 10 of many mismatches and counts the rest', async () => {
    const storage = memoryStorage()
    const big = tfl.sequential({
      layers: Array.from({ length: 8 }, (_, i) => tfl.layers.dense({ name: `l${i}`, units: 2, ...(i === 0 ? { inputShape: [2] } : {}) })),
    })
    await storage.write('w.safetensors', encodeSafetensorsOrThrow({ other: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }))
    const { err, list } = await mismatchOf(loadWeights(big, storage, 'w.safetensors'))
    expect(list).toHaveLength(17)
    expect(err.message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(10)
    expect(err.message).toContain('... and 7 more')
  })

  it('refuses a file that is not safetensors, naming it', async () => {
    const storage = memoryStorage()
    await storage.write('bad.safetensors', new Uint8Array([1, 2, 3]))
    const err = await loadWeights(tinyModel(), storage, 'bad.safetensors').catch((e: unknown) => e)
    expect((err as CkptTfjsError).error._tag).toBe('InvalidWeightsFile')
    expect((err as Error).message).toMatch(/'bad.safetensors' is not a valid safetensors file: safetensors: file is 3 bytes/)
  })
})

describe('weightMismatches (pure)', () => {
  it('is empty exactly when names, shapes and dtypes all agree', () => {
    const spec = [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'b', shape: [], dtype: 'int32' },
    ]
    const ok: Tensors = {
      a: { dtype: 'F32', shape: [2], data: new Float32Array(2) },
      b: { dtype: 'I32', shape: [], data: new Int32Array(1) },
    }
    expect(weightMismatches(spec, ok)).toEqual([])
    expect(
      weightMismatches([{ name: 'c', shape: [1], dtype: 'bool' }], { c: { dtype: 'BOOL', shape: [1], data: new Uint8Array(1) } }),
    ).toEqual([])
    expect(weightMismatches(spec, { ...ok, b: { dtype: 'F32', shape: [], data: new Float32Array(1) } })).toEqual([
      { _tag: 'Dtype', name: 'b', expected: 'int32', actual: 'F32' },
    ])
  })
})
