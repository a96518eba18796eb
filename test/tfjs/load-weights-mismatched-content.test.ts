import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../../src/adapters/tfjs/backend.js'
import { CkptTfjsError } from '../../src/adapters/tfjs/errors.js'
import { saveKerasModel, saveKerasWeights } from '../../src/adapters/tfjs/keras.js'
import { saveModel } from '../../src/adapters/tfjs/model.js'
import { loadWeights, saveWeights } from '../../src/adapters/tfjs/weights.js'
import { CkptError } from '../../src/errors/ckpt-error.js'
import { fsStorage } from '../../src/storage/fs.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, randomizeWeights } from '../keras/support/archs.js'
import { weightBytes } from './support/fixtures.js'
import { recording } from './support/recording-storage.js'

/**
 * A file whose bytes are another format than its ending says, or whose ending loadWeights does not read, rejects with
 * `UnrecognizedWeightsFile`: the path, what its bytes are, and the endings accepted. Only its first 16 bytes are read
 * to tell. The files are real ones, written by ckpt's writers, under another name.
 */

const ACCEPTED = ['.safetensors', '.weights.h5', 'model.json', '.keras']

let dir: string
let storage: Storage
/** The bytes of one real file of each kind. */
const real: Record<'hdf5' | 'zip' | 'json' | 'safetensors', Uint8Array> = {} as never

beforeAll(async () => {
  await useBackend('cpu')
  dir = await mkdtemp(join(tmpdir(), 'ckpt-load-weights-content-'))
  storage = fsStorage(dir, { fsync: false })
  const model = buildTfjs('mlp')
  randomizeWeights(model, 1)
  await saveKerasWeights(model, storage, 'real/w.weights.h5')
  await saveKerasModel(model, storage, 'real/w.keras')
  await saveModel(model, storage, 'real/whole/model.json', { includeOptimizer: false })
  await saveWeights(model, storage, 'real/w.safetensors')
  real.hdf5 = await storage.read('real/w.weights.h5')
  real.zip = await storage.read('real/w.keras')
  real.json = await storage.read('real/whole/model.json')
  real.safetensors = await storage.read('real/w.safetensors')
  model.dispose()
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Loads `path` into a fresh model, expecting the rejection; checks that the model is unchanged. */
const rejection = async (path: string): Promise<CkptTfjsError> => {
  const model: tfl.LayersModel = buildTfjs('mlp')
  const before = weightBytes(model)
  const e = await loadWeights(model, storage, path).then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(CkptError)
  expect(e).toBeInstanceOf(CkptTfjsError)
  expect(weightBytes(model)).toEqual(before)
  model.dispose()
  return e as CkptTfjsError
}

const cases: ReadonlyArray<readonly [string, keyof typeof real, RegExp]> = [
  ['hdf5-named.safetensors', 'hdf5', /an HDF5 file/],
  ['hdf5-named/model.json', 'hdf5', /an HDF5 file/],
  ['hdf5-named.keras', 'hdf5', /an HDF5 file/],
  ['zip-named.weights.h5', 'zip', /a zip archive/],
  ['zip-named.safetensors', 'zip', /a zip archive/],
  ['json-named.safetensors', 'json', /JSON/],
  ['json-named.weights.h5', 'json', /JSON/],
  ['safetensors-named.weights.h5', 'safetensors', /a safetensors file/],
  ['safetensors-named/model.json', 'safetensors', /a safetensors file/],
]

describe('loadWeights: a file whose bytes are another format than its ending', () => {
  for (const [path, kind, found] of cases) {
    it(`${path} (${kind} bytes) names the path, what the bytes are, and the accepted endings; the model is unchanged`, async () => {
      await storage.write(path, real[kind])
      const e = await rejection(path)
      expect(e.error).toMatchObject({ _tag: 'UnrecognizedWeightsFile', path, accepted: ACCEPTED })
      expect(e._tag).toBe('UnrecognizedWeightsFile')
      expect((e.error as { found: string }).found).toMatch(found)
      expect(e.message).toContain(`'${path}'`)
      expect(e.message).toMatch(/it ends in '[^']+', but its bytes are /)
      for (const ending of ACCEPTED) expect(e.message).toContain(`'${ending}'`)
      expect(e.message).not.toMatch(/header length is/)
    })
  }
})

describe('loadWeights: an ending it does not read', () => {
  it('names what the bytes are and the ending that reads them', async () => {
    await storage.write('weights.bin', real.safetensors)
    const e = await rejection('weights.bin')
    expect(e.error).toMatchObject({ _tag: 'UnrecognizedWeightsFile', path: 'weights.bin', accepted: ACCEPTED })
    expect(e.message).toContain('its ending is not one loadWeights reads; its bytes are a safetensors file')
    expect(e.message).toContain("(name it with the ending '.safetensors')")
  })

  it('legacy .h5 is refused as such', async () => {
    await storage.write('legacy.h5', real.hdf5)
    const e = await rejection('legacy.h5')
    expect(e.message).toMatch(/legacy Keras HDF5 files \('\.h5'\/'\.hdf5'\) are not read .*; its bytes are an HDF5 file/)
  })

  it('bytes of no known format are shown', async () => {
    await storage.write('notes.txt', new TextEncoder().encode('hello, weights'))
    const e = await rejection('notes.txt')
    expect(e.message).toContain('its bytes are none of these formats (it starts with the bytes 68 65 6c 6c 6f')
  })
})

describe('loadWeights: bytes of none of the formats under an ending it reads', () => {
  it("go to that ending's reader, whose error says what is wrong with them", async () => {
    // A safetensors file cut inside its 8-byte header length: not recognisable as any format.
    await storage.write('cut.safetensors', real.safetensors.subarray(0, 5))
    const e = await rejection('cut.safetensors')
    expect(e.error).toMatchObject({ _tag: 'InvalidWeightsFile', path: 'cut.safetensors' })
    expect(e.message).toContain("'cut.safetensors' is not a valid safetensors file")
  })
})

describe('loadWeights: telling the format takes the first 16 bytes only', () => {
  it('a 64 MiB HDF5 file named .safetensors is refused after one ranged read of 16 bytes', async () => {
    const big = new Uint8Array(64 << 20)
    big.set(real.hdf5.subarray(0, 4096))
    await writeFile(join(dir, 'big.safetensors'), big)
    const seen = recording(storage)
    const model = buildTfjs('mlp')
    const e = await loadWeights(model, seen.storage, 'big.safetensors').then(
      () => null,
      (err: unknown) => err as CkptTfjsError,
    )
    expect(e?._tag).toBe('UnrecognizedWeightsFile')
    expect(seen.reads).toEqual([{ key: 'big.safetensors', bytes: 16, via: 'read' }])
    model.dispose()
  })
})
