import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeKerasModel } from '../../src/adapters/tfjs/keras/model-file.js'
import { decodeKerasArchive } from '../../src/keras/keras-file.js'
import { openZip } from '../../src/keras/zip-read.js'
import { randomizeWeights } from './support/archs.js'

// A .keras ckpt writes stores model.weights.h5 8-byte aligned (a zipalign-style extra field), so reading it back
// copies no weight: each array is a view of the archive's bytes (the entry is not copied out of the zip either).

describe('a .keras ckpt wrote reads back without copying its weights', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('model.weights.h5 starts at a multiple of 8, and every decoded array views the archive', async () => {
    const model = tfl.sequential({
      name: 'views',
      layers: [tfl.layers.dense({ units: 5, inputShape: [3] }), tfl.layers.dense({ units: 2 })],
    })
    randomizeWeights(model, 9)
    const bytes = await encodeKerasModel(model)
    if (bytes._tag === 'Left') throw new Error(bytes.left.message)
    const archive = openZip(bytes.right)
    if (archive._tag === 'Left') throw new Error(archive.left.message)
    expect(archive.right.records.find((r) => r.name === 'model.weights.h5')!.dataStart % 8).toBe(0)

    const decoded = await decodeKerasArchive(bytes.right, 'views.keras')
    if (decoded._tag === 'Left') throw new Error(decoded.left.message)
    const arrays = decoded.right.weights.groups.flatMap((g) => g.vars.map((v) => v.data))
    expect(arrays).toHaveLength(4)
    for (const a of arrays) expect(a.buffer).toBe(bytes.right.buffer)
    expect(arrays.map((a) => Array.from(a as Float32Array))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())))
  })
})
