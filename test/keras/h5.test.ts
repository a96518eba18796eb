import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeWeightsH5, encodeWeightsH5 } from '../../src/keras/h5.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'

describe('HDF5 weights files (h5wasm)', () => {
  it('reads back the groups, names, dtypes, shapes and values it wrote', async () => {
    const file: WeightsFile = {
      groups: [
        { path: '', name: 'seq', vars: [] },
        {
          path: 'layers/dense',
          name: 'hidden',
          vars: [
            { dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6.5) },
            { dtype: 'float32', shape: [3], data: Float32Array.of(0, -1, 1e-30) },
          ],
        },
        { path: 'layers/lstm', name: 'lstm', vars: [] },
        { path: 'layers/lstm/cell', name: 'lstm_cell', vars: [{ dtype: 'float32', shape: [1, 4], data: Float32Array.of(1, 2, 3, 4) }] },
        {
          path: 'optimizer',
          name: 'adam',
          vars: [
            { dtype: 'int64', shape: [], data: BigInt64Array.of(7n) },
            { dtype: 'float32', shape: [], data: Float32Array.of(0.01) },
          ],
        },
      ],
    }
    const bytes = await encodeWeightsH5(file)
    if (E.isLeft(bytes)) throw new Error(bytes.left.message)
    const back = await decodeWeightsH5(bytes.right, 'x.weights.h5')
    if (E.isLeft(back)) throw new Error(back.left.message)
    const byPath = Object.fromEntries(back.right.groups.map((g) => [g.path, g]))
    for (const g of file.groups) expect(byPath[g.path]).toEqual(g)
    expect(back.right.groups).toHaveLength(file.groups.length)
  })

  it('refuses bytes that are not HDF5, naming the file', async () => {
    const r = await decodeWeightsH5(new TextEncoder().encode('not hdf5 at all'), 'bad.weights.h5')
    expect(r).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidH5', path: 'bad.weights.h5' } })
  })
})
