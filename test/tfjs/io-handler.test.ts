import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { BACKENDS, STORAGES, fsTestStorage, dataset, optimizerBytes, tinyModel, weightBytes, type TestStorage } from './support/fixtures.js'

const SHARD = /^m\/group1-shard1of1\.[0-9a-f]{12}\.bin$/

const trained = async (): Promise<tfl.Sequential> => {
  const model = tinyModel(tf.train.adam(0.01))
  const { x, y } = dataset()
  await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 })
  tf.dispose([x, y])
  return model
}

const bytes = (u8: Uint8Array): ArrayBuffer => u8.slice().buffer

describe.each(BACKENDS)('storageIOHandler on %s', (backend) => {
  beforeAll(() => useBackend(backend))

  describe.each(STORAGES)('over $kind storage', ({ make }) => {
    let ts: TestStorage
    afterEach(() => ts.cleanup())

    it('round-trips weights, optimizer state and training config through model.save / loadLayersModel', async () => {
      ts = await make()
      const model = await trained()
      const result = await model.save(storageIOHandler(ts.storage, 'm/model.json'), { includeOptimizer: true })
      expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0)
      const keys = [...(await ts.storage.list('m/'))].sort()
      expect(keys).toHaveLength(2)
      expect(keys[1]).toBe('m/model.json')
      expect(keys[0]).toMatch(SHARD)

      const loaded = await tfl.loadLayersModel(storageIOHandler(ts.storage, 'm/model.json'))
      expect(weightBytes(loaded)).toEqual(weightBytes(model))
      expect(loaded.optimizer.getClassName()).toBe('Adam')
      const [want, got] = [await optimizerBytes(model.optimizer), await optimizerBytes(loaded.optimizer)]
      expect(want.length).toBe(1 + 2 * model.weights.length) // iter, m and v of each weight
      expect(got).toEqual(want)
      model.dispose()
      loaded.dispose()
    })

    it('a second save commits new weight files and only then removes the old ones', async () => {
      ts = await make()
      const model = await trained()
      await model.save(storageIOHandler(ts.storage, 'm/model.json'), { includeOptimizer: true })
      const [first] = (await ts.storage.list('m/')).filter((k) => SHARD.test(k))
      const { x, y } = dataset()
      await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 })
      await model.save(storageIOHandler(ts.storage, 'm/model.json'), { includeOptimizer: true })
      const shards = (await ts.storage.list('m/')).filter((k) => SHARD.test(k))
      expect(shards).toHaveLength(1)
      expect(shards[0]).not.toBe(first)
      const loaded = await tfl.loadLayersModel(storageIOHandler(ts.storage, 'm/model.json'))
      expect(weightBytes(loaded)).toEqual(weightBytes(model))
      tf.dispose([x, y])
      model.dispose()
      loaded.dispose()
    })
  })

  describe('over fs storage', () => {
    let ts: TestStorage
    afterEach(() => ts.cleanup())

    it('writes the standard layout: plain tf.io.fromMemory loads the folder files', async () => {
      ts = await fsTestStorage()
      const model = await trained()
      await model.save(storageIOHandler(ts.storage, 'm/model.json'), { includeOptimizer: true })
      const dir = join(ts.dir as string, 'm')
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON
      expect(json.format).toBe('layers-model')
      expect(json.trainingConfig?.loss).toBe('mean_squared_error')
      const files = await Promise.all(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(join(dir, p)))))
      const weightData = tf.io.concatenateArrayBuffers(files.map((b) => bytes(b)))
      const weightSpecs = json.weightsManifest.flatMap((g) => g.weights)
      expect(weightSpecs.filter((s) => s.group === 'optimizer').map((s) => s.name)).toContain('iter')
      const plain = await tfl.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, trainingConfig: json.trainingConfig }),
      )
      expect(weightBytes(plain)).toEqual(weightBytes(model))
      expect(await optimizerBytes(plain.optimizer)).toEqual(await optimizerBytes(model.optimizer))
      model.dispose()
      plain.dispose()
    })
  })
})

/** A storage that behaves like `inner` except where `over` says otherwise. */
const wrap = (inner: Storage, over: Partial<Pick<Storage, 'write' | 'read'>>): Storage =>
  new Proxy(inner, {
    get: (target, prop) => {
      const own = (over as Record<string | symbol, unknown>)[prop]
      if (own !== undefined) return own
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })

const artifacts = (parts: ReadonlyArray<Uint8Array>, specs: tf.io.WeightsManifestEntry[]): tf.io.ModelArtifacts => ({
  modelTopology: { class_name: 'Sequential' },
  format: 'layers-model',
  weightSpecs: specs,
  weightData: parts.map((p) => bytes(p)),
})

const f32 = (...xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer)

describe('storageIOHandler details', () => {
  beforeAll(() => useBackend('cpu'))

  it('writes each part of an ArrayBuffer[] weightData as its own file, unconcatenated, and reads them back', async () => {
    const storage = memoryStorage()
    const parts = [f32(1, 2, 3), f32(4), f32(5, 6)]
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'b', shape: [2, 2], dtype: 'float32' }, // spans the three parts
    ]
    const written: Array<[string, number]> = []
    const spy = wrap(storage, {
      write: (k, d, o) => {
        written.push([k, d instanceof Uint8Array ? d.byteLength : -1])
        return storage.write(k, d, o)
      },
    })
    await storageIOHandler(spy, 'x/model.json').save!(artifacts(parts, specs))
    expect(written.map(([k]) => k.replace(/\.[0-9a-f]{12}\./, '.*.'))).toEqual([
      'x/group1-shard1of3.*.bin',
      'x/group1-shard2of3.*.bin',
      'x/group1-shard3of3.*.bin',
      'x/model.json',
    ])
    expect(written.slice(0, 3).map(([, n]) => n)).toEqual([12, 4, 8])
    for (const [i, [k]] of written.slice(0, 3).entries()) expect(await storage.read(k)).toEqual(parts[i])
    const loaded = await storageIOHandler(storage, 'x/model.json').load!()
    expect(loaded.weightSpecs).toEqual(specs)
    const decoded = tf.io.decodeWeights(loaded.weightData!, loaded.weightSpecs!)
    expect(Array.from(decoded['a']!.dataSync())).toEqual([1, 2])
    expect(Array.from(decoded['b']!.dataSync())).toEqual([3, 4, 5, 6])
    tf.dispose(Object.values(decoded))
  })

  it('loads a standard tfjs folder with its own file names and relative paths', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.1))
    let saved: tf.io.ModelArtifacts | undefined
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })))
    const modelJson = {
      modelTopology: saved!.modelTopology,
      format: saved!.format,
      weightsManifest: [{ paths: ['./w/../w/weights.bin'], weights: saved!.weightSpecs }],
    }
    await storage.write('std/model.json', new TextEncoder().encode(JSON.stringify(modelJson)))
    await storage.write('std/w/weights.bin', new Uint8Array(saved!.weightData as ArrayBuffer))
    const loaded = await tfl.loadLayersModel(storageIOHandler(storage, 'std/model.json'))
    expect(weightBytes(loaded)).toEqual(weightBytes(model))
  })

  it('keeps the previous save intact and leaves no new files when the model.json commit fails', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.1))
    await model.save(storageIOHandler(storage, 'm/model.json'))
    const before = [...(await storage.list('m/'))].sort()
    const beforeWeights = weightBytes(model)
    const failing = wrap(storage, {
      write: (k, d, o) => (k.endsWith('model.json') ? Promise.reject(new Error('disk full')) : storage.write(k, d, o)),
    })
    const { x, y } = dataset()
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 })
    const err = await model.save(storageIOHandler(failing, 'm/model.json')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as Error).message).toMatch(/committing 'm\/model.json' failed: IOError: disk full/)
    expect([...(await storage.list('m/'))].sort()).toEqual(before)
    const loaded = await tfl.loadLayersModel(storageIOHandler(storage, 'm/model.json'))
    expect(weightBytes(loaded)).toEqual(beforeWeights)
    expect(weightBytes(loaded)).not.toEqual(weightBytes(model))
    tf.dispose([x, y])
  })

  it('abandons a save when another writer commits model.json meanwhile, removing only its own files', async () => {
    const storage = memoryStorage()
    const model = tinyModel(tf.train.sgd(0.1))
    await model.save(storageIOHandler(storage, 'm/model.json'))
    const other = tinyModel(tf.train.sgd(0.1))
    let raced = false
    const racing = wrap(storage, {
      write: async (k, d, o) => {
        if (!raced && k.endsWith('.bin')) {
          raced = true
          await other.save(storageIOHandler(storage, 'm/model.json'))
        }
        return storage.write(k, d, o)
      },
    })
    const err = await model.save(storageIOHandler(racing, 'm/model.json')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CkptTfjsError)
    expect((err as CkptTfjsError).error._tag).toBe('ConcurrentSave')
    const shards = (await storage.list('m/')).filter((k) => k.endsWith('.bin'))
    expect(shards).toHaveLength(1) // the other writer's; ours and the first save's are gone
    const loaded = await tfl.loadLayersModel(storageIOHandler(storage, 'm/model.json'))
    expect(weightBytes(loaded)).toEqual(weightBytes(other))
  })

  it('refuses, at construction, a path that does not end with model.json', () => {
    for (const bad of ['m/weights.bin', 'm/model.json/', 'model.jsonx', '']) {
      let caught: unknown
      try {
        storageIOHandler(memoryStorage(), bad)
      } catch (e) {
        caught = e
      }
      expect(caught, bad).toBeInstanceOf(CkptTfjsError)
      expect((caught as CkptTfjsError).error._tag).toBe('InvalidModelPath')
      expect((caught as Error).message).toContain(JSON.stringify(bad))
    }
  })

  it('refuses manifest paths that leave the storage root or are absolute', async () => {
    for (const p of ['../../../etc/passwd', '/abs/weights.bin', 'file:///x.bin']) {
      const storage = memoryStorage()
      const json = { modelTopology: {}, weightsManifest: [{ paths: [p], weights: [] }] }
      await storage.write('m/model.json', new TextEncoder().encode(JSON.stringify(json)))
      const err = await storageIOHandler(storage, 'm/model.json').load!().catch((e: unknown) => e)
      expect((err as CkptTfjsError).error?._tag, p).toBe('InvalidModelJson')
      expect((err as Error).message).toContain(JSON.stringify(p))
    }
  })

  it('reports a missing model.json and a missing weight file by key', async () => {
    const storage = memoryStorage()
    const missing = await storageIOHandler(storage, 'none/model.json').load!().catch((e: unknown) => e)
    expect((missing as Error).message).toMatch(/no model.json at 'none\/model.json'/)
    const json = { modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }
    await storage.write('m/model.json', new TextEncoder().encode(JSON.stringify(json)))
    const gone = await storageIOHandler(storage, 'm/model.json').load!().catch((e: unknown) => e)
    expect((gone as CkptTfjsError).error._tag).toBe('StorageFailed')
    expect((gone as Error).message).toMatch(/reading weight file 'm\/gone.bin' failed: NotFound/)
  })

  it('refuses a model.json that is not a tfjs model', async () => {
    const storage = memoryStorage()
    await storage.write('m/model.json', new TextEncoder().encode('{"weightsManifest": 3, "modelTopology": {}}'))
    const err = await storageIOHandler(storage, 'm/model.json').load!().catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/not a tfjs model.json: 'weightsManifest' must be an array/)
  })
})
