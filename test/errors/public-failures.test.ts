import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { modelCheckpoint } from '../../src/adapters/tfjs/callback.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { fitResumable } from '../../src/adapters/tfjs/fit-resumable.js'
import { storageIOHandler } from '../../src/adapters/tfjs/io-handler.js'
import { loadModel } from '../../src/adapters/tfjs/model.js'
import { restoreBest, restoreLatest } from '../../src/adapters/tfjs/restore.js'
import { loadWeights, saveWeights } from '../../src/adapters/tfjs/weights.js'
import { CheckpointFailure, createCheckpointer } from '../../src/checkpointer/index.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { StorageFailure } from '../../src/storage/errors.js'
import { fsStorage } from '../../src/storage/fs.js'
import { memoryStorage } from '../../src/storage/memory.js'
import type { Storage } from '../../src/storage/storage.js'
import { encodeSafetensorsOrThrow, SafetensorsEncodeError, type Tensors } from '../../src/tensors/index.js'
import { dataset, tinyModel } from '../tfjs/support/fixtures.js'

const quiet = { log: () => {} }
const w = (v: number): Tensors => ({ w: { dtype: 'F32', shape: [1], data: new Float32Array([v]) } })
const dir = mkdtempSync(join(tmpdir(), 'ckpt-errors-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
beforeAll(async () => {
  await useBackend('cpu')
})

/** A storage holding one safetensors checkpoint, `e1.safetensors`, whose bytes were then changed. */
const corrupted = async (): Promise<Storage> => {
  const storage = memoryStorage()
  const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
  await c.close()
  await storage.write('e1.safetensors', new Uint8Array(16))
  return storage
}

/** A storage holding one whole-model checkpoint, `m/model.json`, whose weight file was then changed. */
const corruptedModel = async (): Promise<Storage> => {
  const storage = memoryStorage()
  const { x, y } = dataset()
  await tinyModel(tf.train.sgd(0.1)).fit(x, y, {
    epochs: 1,
    verbose: 0,
    callbacks: [modelCheckpoint({ storage, filepath: 'm/model.json', monitor: 'loss', ...quiet })],
  })
  tf.dispose([x, y])
  const bin = (await storage.list('m/')).find((k) => k.endsWith('.bin'))!
  await storage.write(bin, new Uint8Array(8))
  return storage
}

/** A storage whose every write fails with an I/O error. */
const failingWrites = (inner: Storage): Storage =>
  new Proxy(inner, {
    get: (target, prop) => {
      if (prop === 'write') return () => Promise.reject(new Error('EIO: disk on fire'))
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })

interface Case {
  readonly entry: string
  readonly failure: string
  readonly run: () => Promise<unknown>
  readonly tag: string
  readonly type: abstract new (...args: never[]) => CkptError
}

const cases: ReadonlyArray<Case> = [
  // Storage adapters.
  {
    entry: 'Storage.read (memory)',
    failure: 'a missing key',
    run: () => memoryStorage().read('nope'),
    tag: 'NotFound',
    type: StorageFailure,
  },
  {
    entry: 'Storage.read (fs)',
    failure: 'a missing key',
    run: () => fsStorage(join(dir, 'fs')).read('nope'),
    tag: 'NotFound',
    type: StorageFailure,
  },
  {
    entry: 'Storage.write (memory)',
    failure: 'a traversal key',
    run: () => memoryStorage().write('../x', new Uint8Array(1)),
    tag: 'InvalidKey',
    type: StorageFailure,
  },
  {
    entry: 'Storage.write (fs)',
    failure: 'ifAbsent on an existing key',
    run: async () => {
      const s = fsStorage(join(dir, 'fs2'))
      await s.write('a', new Uint8Array(1))
      return s.write('a', new Uint8Array(1), { ifAbsent: true })
    },
    tag: 'AlreadyExists',
    type: StorageFailure,
  },
  {
    entry: 'Storage.write (memory)',
    failure: 'ifMatch on a changed key',
    run: async () => {
      const s = memoryStorage()
      await s.write('a', new Uint8Array(1))
      return s.write('a', new Uint8Array(1), { ifMatch: 'stale' })
    },
    tag: 'PreconditionFailed',
    type: StorageFailure,
  },
  {
    entry: 'Storage.read (memory)',
    failure: 'an invalid range',
    run: () => memoryStorage().read('a', { start: 2, end: 1 }),
    tag: 'Unsupported',
    type: StorageFailure,
  },
  // The Checkpointer.
  {
    entry: 'createCheckpointer',
    failure: 'an unknown option',
    run: () => createCheckpointer({ storage: memoryStorage(), filepath: 'a', saveBestOnyl: true } as never),
    tag: 'ConfigError',
    type: CheckpointFailure,
  },
  {
    entry: 'createCheckpointer',
    failure: 'a missing storage',
    run: () => createCheckpointer({ filepath: 'a' } as never),
    tag: 'ConfigError',
    type: CheckpointFailure,
  },
  {
    entry: 'createCheckpointer',
    failure: 'a corrupt index',
    run: async () => {
      const storage = memoryStorage()
      await storage.write('ckpt-index.json', new TextEncoder().encode('{"format":"ckpt-index"}'))
      return createCheckpointer({ storage, filepath: 'a.safetensors', ...quiet })
    },
    tag: 'CorruptIndex',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.onEpochEnd',
    failure: 'a snapshot that is not tensors',
    run: async () => {
      const c = await createCheckpointer({ storage: memoryStorage(), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
      return c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, [] as never)
    },
    tag: 'InvalidSnapshot',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.onEpochEnd',
    failure: 'a template field the logs lack',
    run: async () => {
      const c = await createCheckpointer({ storage: memoryStorage(), filepath: 'e{val_acc}.safetensors', monitor: 'loss', ...quiet })
      return c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
    },
    tag: 'PolicyError',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.onEpochEnd',
    failure: 'a storage that cannot write',
    run: async () => {
      const c = await createCheckpointer({
        storage: failingWrites(memoryStorage()),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        ...quiet,
      })
      return c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
    },
    tag: 'StorageFailed',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.flush',
    failure: 'a background save that failed',
    run: async () => {
      const c = await createCheckpointer({
        storage: failingWrites(memoryStorage()),
        filepath: 'e{epoch}.safetensors',
        monitor: 'loss',
        async: true,
        ...quiet,
      })
      await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
      return c.flush()
    },
    tag: 'StorageFailed',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.restore',
    failure: 'an empty folder',
    run: async () => (await createCheckpointer({ storage: memoryStorage(), filepath: 'a.safetensors', ...quiet })).restore(),
    tag: 'NoSuchCheckpoint',
    type: CheckpointFailure,
  },
  {
    entry: 'Checkpointer.restore',
    failure: 'a corrupt checkpoint',
    run: async () =>
      (await createCheckpointer({ storage: await corrupted(), filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })).restore(),
    tag: 'CorruptCheckpoint',
    type: CheckpointFailure,
  },
  // safetensors.
  {
    entry: 'encodeSafetensorsOrThrow',
    failure: 'data of the wrong size',
    run: async () => encodeSafetensorsOrThrow({ w: { dtype: 'F32', shape: [2], data: new Float32Array(1) } }),
    tag: 'InvalidTensor',
    type: SafetensorsEncodeError,
  },
  // The tfjs adapter.
  {
    entry: 'useBackend',
    failure: 'an unknown backend',
    run: () => useBackend('webgpu' as never),
    tag: 'BackendUnavailable',
    type: CkptTfjsError,
  },
  {
    entry: 'modelCheckpoint',
    failure: 'an unsupported ending',
    run: async () => modelCheckpoint({ storage: memoryStorage(), filepath: 'x.bin' }),
    tag: 'UnsupportedFilepath',
    type: CkptTfjsError,
  },
  {
    entry: 'modelCheckpoint',
    failure: 'an unknown option',
    run: async () => modelCheckpoint({ storage: memoryStorage(), filepath: 'm/model.json', saveBestOnyl: true } as never),
    tag: 'InvalidOptions',
    type: CkptTfjsError,
  },
  {
    entry: 'restoreLatest',
    failure: 'a weights-only checkpoint',
    run: async () => {
      const storage = memoryStorage()
      const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
      await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
      await c.close()
      return restoreLatest(storage)
    },
    tag: 'WeightsOnlyCheckpoint',
    type: CkptTfjsError,
  },
  {
    entry: 'restoreBest',
    failure: 'a corrupt checkpoint',
    run: async () => restoreBest(await corruptedModel()),
    tag: 'CorruptCheckpoint',
    type: CheckpointFailure,
  },
  {
    entry: 'loadWeights',
    failure: 'a file that is not safetensors',
    run: async () => {
      const storage = memoryStorage()
      await storage.write('w.safetensors', new Uint8Array(4))
      return loadWeights(tinyModel(), storage, 'w.safetensors')
    },
    tag: 'InvalidWeightsFile',
    type: CkptTfjsError,
  },
  {
    entry: 'loadWeights',
    failure: 'a safetensors file named .weights.h5',
    run: async () => {
      const storage = memoryStorage()
      await storage.write('w.weights.h5', encodeSafetensorsOrThrow(w(1)))
      return loadWeights(tinyModel(), storage, 'w.weights.h5')
    },
    tag: 'UnrecognizedWeightsFile',
    type: CkptTfjsError,
  },
  {
    entry: 'loadWeights',
    failure: 'weights of another model',
    run: async () => {
      const storage = memoryStorage()
      await storage.write('w.safetensors', encodeSafetensorsOrThrow(w(1)))
      return loadWeights(tinyModel(), storage, 'w.safetensors')
    },
    tag: 'WeightsMismatch',
    type: CkptTfjsError,
  },
  {
    entry: 'saveWeights',
    failure: 'a storage that cannot write',
    run: async () => saveWeights(tinyModel(), failingWrites(memoryStorage()), 'w.safetensors'),
    tag: 'StorageFailed',
    type: CkptTfjsError,
  },
  {
    entry: 'loadModel',
    failure: 'a missing model.json',
    run: () => loadModel(memoryStorage(), 'm/model.json'),
    tag: 'StorageFailed',
    type: CkptTfjsError,
  },
  {
    entry: 'storageIOHandler',
    failure: 'a path not ending in model.json',
    run: async () => storageIOHandler(memoryStorage(), 'm/weights.bin'),
    tag: 'InvalidModelPath',
    type: CkptTfjsError,
  },
  {
    entry: 'fitResumable',
    failure: 'a weights-only checkpoint to resume',
    run: async () => {
      const storage = memoryStorage()
      const c = await createCheckpointer({ storage, filepath: 'e{epoch}.safetensors', monitor: 'loss', ...quiet })
      await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, w(1))
      await c.close()
      const { x, y } = dataset()
      return fitResumable(tinyModel(tf.train.sgd(0.1)), x, y, { epochs: 1, verbose: 0 }, { storage })
    },
    tag: 'WeightsOnlyCheckpoint',
    type: CkptTfjsError,
  },
]

describe('every public entry point fails with a CkptError carrying its typed value', () => {
  it.each(cases.map((c) => [`${c.entry}: ${c.failure} → ${c.tag}`, c] as const))('%s', async (_, c) => {
    let thrown: unknown = null
    try {
      await c.run()
    } catch (e) {
      thrown = e
    }
    expect(thrown, 'it must fail').not.toBeNull()
    expect(thrown).toBeInstanceOf(CkptError)
    expect(thrown).toBeInstanceOf(c.type)
    expect(thrown).toBeInstanceOf(Error)
    const e = thrown as CkptError
    expect(Object.prototype.hasOwnProperty.call(e, '_tag')).toBe(true)
    expect(e._tag).toBe(c.tag)
    expect(e.error._tag).toBe(c.tag)
    expect(e.message).toBe(e.error.message)
    expect(e.message.length).toBeGreaterThan(10)
    // The value's fields are repeated on the error.
    for (const [k, v] of Object.entries(e.error))
      if (k !== 'message' && k !== 'cause') expect((e as unknown as Record<string, unknown>)[k]).toBe(v)
    expect(CkptError.is(e)).toBe(true)
  })

  it('a StorageFailed names the storage error inside, which asStorageError finds', async () => {
    const c = cases.find((x) => x.entry === 'Checkpointer.onEpochEnd' && x.tag === 'StorageFailed')!
    const e = (await c.run().catch((x: unknown) => x)) as CheckpointFailure
    expect(e.error).toMatchObject({ _tag: 'StorageFailed', cause: { _tag: 'IOError' } })
    expect(e.cause).toBe((e.error as { cause: unknown }).cause)
  })
})
