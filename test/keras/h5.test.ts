import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeWeightsH5, encodeWeightsH5 } from '../../src/keras/h5.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'

describe('HDF5 weights files', () => {
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

  it('reads datasets as views of the bytes where aligned, as copies where not (a Buffer at an odd offset too)', async () => {
    const file: WeightsFile = {
      groups: [
        { path: '', name: 'seq', vars: [] },
        { path: 'layers/dense', name: 'd', vars: [{ dtype: 'float64', shape: [3], data: Float64Array.of(1.5, -2, 3) }] },
      ],
    }
    const bytes = await encodeWeightsH5(file)
    if (E.isLeft(bytes)) throw new Error(bytes.left.message)
    const aligned = await decodeWeightsH5(bytes.right, 'a.weights.h5')
    if (E.isLeft(aligned)) throw new Error(aligned.left.message)
    const view = aligned.right.groups.find((g) => g.path === 'layers/dense')!.vars[0]!.data
    expect(view.buffer).toBe(bytes.right.buffer)
    const odd = Buffer.alloc(bytes.right.length + 1)
    odd.set(bytes.right, 1)
    const shifted = await decodeWeightsH5(odd.subarray(1), 'b.weights.h5')
    if (E.isLeft(shifted)) throw new Error(shifted.left.message)
    const copy = shifted.right.groups.find((g) => g.path === 'layers/dense')!.vars[0]!.data
    expect(copy).toEqual(Float64Array.of(1.5, -2, 3))
    expect(copy.buffer).not.toBe(odd.buffer)
  })

  it('writing refuses a vars group given twice, and an array whose type or length does not match', async () => {
    const twice = await encodeWeightsH5({
      groups: [
        { path: 'a', name: null, vars: [] },
        { path: 'a', name: null, vars: [] },
      ],
    })
    expect(twice).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidH5', message: expect.stringContaining("'a/vars' is given twice") } })
    const type = await encodeWeightsH5({
      groups: [{ path: 'a', name: null, vars: [{ dtype: 'float64', shape: [1], data: Float32Array.of(1) }] }],
    })
    expect(type).toMatchObject({ _tag: 'Left', left: { message: expect.stringContaining('float64 held in a Float32Array') } })
    const length = await encodeWeightsH5({
      groups: [{ path: 'a', name: null, vars: [{ dtype: 'float32', shape: [2], data: Float32Array.of(1) }] }],
    })
    expect(length).toMatchObject({ _tag: 'Left', left: { message: expect.stringContaining('has 1 values for shape [2]') } })
  })

  it('refuses bytes that are not HDF5, naming the file', async () => {
    const r = await decodeWeightsH5(new TextEncoder().encode('not hdf5 at all'), 'bad.weights.h5')
    expect(r).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidH5', path: 'bad.weights.h5' } })
  })
})
