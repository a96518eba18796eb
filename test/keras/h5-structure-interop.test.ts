import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveKerasWeights } from '../../src/adapters/tfjs/keras/weights-h5.js'
import { readLayout } from '../../src/keras/h5-read.js'
import { bytesSource } from '../../src/keras/h5-source.js'
import { openZip, readEntry } from '../../src/keras/zip-read.js'
import type { Storage } from '../../src/storage/storage.js'
import { buildTfjs, inputsFor, randomizeWeights, type Arch } from './support/archs.js'
import { closeKerasSession, kerasUnavailable, openKerasSession, type KerasServer, type KerasSession } from './support/python.js'

// ckpt writes .weights.h5 itself (src/keras/h5-write.ts) and reads it itself (src/keras/h5-read.ts). Here h5py looks at
// a file ckpt wrote and at the file Keras wrote for the same architecture: every group, dataset and attribute must
// be the same kind of thing (types, shapes, string encodings, storage layout), not just loadable. And every file
// Keras writes must be read by ckpt's own reader, not passed on to h5wasm.

const skipReason = kerasUnavailable()
if (skipReason !== null) console.warn(`test/keras/h5-structure-interop: skipped: ${skipReason}`)

const ARCHS: ReadonlyArray<Arch> = ['mlp', 'cnn', 'lstm', 'gru', 'functional']

interface H5Object {
  readonly path: string
  readonly kind: 'group' | 'dataset'
}

describe.skipIf(skipReason !== null)('.weights.h5 structure: ckpt writes what Keras writes, and reads what Keras writes itself', () => {
  let keras: KerasServer
  let dir: string
  let storage: Storage
  let session: KerasSession | undefined
  beforeAll(async () => {
    session = await openKerasSession('ckpt-keras-h5-')
    ;({ keras, dir, storage } = session)
  }, 120_000)
  afterAll(async () => {
    await closeKerasSession(session)
  })

  const describeH5 = async (path: string): Promise<ReadonlyArray<H5Object>> =>
    (await keras.request<{ objects: H5Object[] }>('describe_h5', { path: join(dir, path) })).objects

  for (const arch of ARCHS)
    it(`${arch}, with Adam's state: h5py sees the same objects, attributes and storage in both files`, async () => {
      const kerasPath = `${arch}-keras.weights.h5`
      await keras.request('save_weights', { arch, optimizer: { kind: 'adam' }, path: join(dir, kerasPath), inputs: inputsFor(arch) })
      const model = buildTfjs(arch)
      randomizeWeights(model, 3)
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' })
      await saveKerasWeights(model, storage, `${arch}-ckpt.weights.h5`)

      const theirs = await describeH5(kerasPath)
      const ours = await describeH5(`${arch}-ckpt.weights.h5`)
      expect(ours.map((o) => o.path)).toEqual(theirs.map((o) => o.path))
      expect(ours).toEqual(theirs)
      expect(theirs.filter((o) => o.kind === 'dataset').length).toBeGreaterThan(3)
    })

  it("ckpt's own reader reads every file Keras wrote above, and the weights inside a .keras, without h5wasm", async () => {
    const files = ARCHS.map((arch) => `${arch}-keras.weights.h5`)
    await keras.request('save_weights', {
      arch: 'mlp',
      optimizer: { kind: 'adam' },
      path: join(dir, 'mlp.keras'),
      inputs: inputsFor('mlp'),
    })
    const archive = openZip(await readFile(join(dir, 'mlp.keras')))
    if (archive._tag === 'Left') throw new Error(archive.left.message)
    const inner = await readEntry(archive.right, 'model.weights.h5')
    if (inner._tag === 'Left' || inner.right === null) throw new Error('no model.weights.h5')
    const sources = [...(await Promise.all(files.map((f) => readFile(join(dir, f))))), inner.right]
    for (const bytes of sources) {
      // readLayout throws H5Unsupported for a file it would pass on to h5wasm
      const layout = await readLayout(bytesSource(new Uint8Array(bytes)))
      expect(layout.groups.some((g) => g.path === 'optimizer' && g.vars.length > 2)).toBe(true)
    }
  })
})
