import { describe, expect, it } from 'vitest'
import { encodeWeightsH5 } from '../../src/keras/h5.js'
import { H5Unsupported, readLayout } from '../../src/keras/h5-read.js'
import { H5Refusal } from '../../src/keras/h5-session.js'
import { bytesSource } from '../../src/keras/h5-source.js'
import type { WeightsFile } from '../../src/keras/weights-file.js'
import { h5pyFile, h5pyMissing } from '../hostile/h5-support.js'

// ckpt's own HDF5 reader meets hostile bytes directly (no HDF5 underneath to refuse them): every third byte of a
// file's metadata is flipped in turn (every field of every structure is hit at several places), and each read must
// end as a refusal (H5Refusal), a hand-over to HDF5 (H5Unsupported), or a layout whose data lies inside the file.
// Any other exception fails, and a read that never ends fails at the test's timeout.

const FILE: WeightsFile = {
  groups: [
    { path: '', name: 'sequential', vars: [] },
    ...Array.from({ length: 9 }, (_, i) => ({
      path: `layers/dense_${i}`,
      name: `dense_${i}`,
      vars: [
        { dtype: 'float32' as const, shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
        { dtype: 'float32' as const, shape: [2], data: Float32Array.of(7, 8) },
      ],
    })),
    { path: 'optimizer', name: 'adam', vars: [{ dtype: 'int64', shape: [], data: BigInt64Array.of(3n) }] },
  ],
}

const flipEach = async (valid: Uint8Array, upTo: number): Promise<{ refused: number; unsupported: number; read: number }> => {
  const counts = { refused: 0, unsupported: 0, read: 0 }
  const bytes = valid.slice()
  for (let at = 0; at < upTo; at += 3) {
    bytes[at] = (valid[at] ?? 0) ^ 0xff
    try {
      const layout = await readLayout(bytesSource(bytes))
      const outside = layout.groups.flatMap((g) => g.vars).filter((v) => v.data.offset + v.data.byteLength > bytes.length)
      if (outside.length > 0) throw new Error(`flipping byte ${at}: data outside the file`)
      counts.read++
    } catch (e) {
      if (e instanceof H5Refusal) counts.refused++
      else if (e instanceof H5Unsupported) counts.unsupported++
      else throw new Error(`flipping byte ${at}: ${String(e)}`)
    }
    bytes[at] = valid[at]!
  }
  return counts
}

describe("ckpt's HDF5 reader on single-byte corruptions of a file's metadata", { timeout: 300_000 }, () => {
  it('a file ckpt wrote (9 layers: a B-tree node over two symbol table nodes)', async () => {
    const valid = await encodeWeightsH5(FILE, { ckpt: '{"epoch":1}' })
    if (valid._tag === 'Left') throw new Error(valid.left.message)
    const dataStart = valid.right.length - 9 * 32 - 8
    const counts = await flipEach(valid.right, dataStart)
    expect(counts.refused).toBeGreaterThan(1000)
    expect(counts.read).toBeGreaterThan(0) // padding, free space, reserved fields
  })

  it.skipIf(h5pyMissing !== undefined)('a file h5py wrote as Keras does (metadata between the datasets)', async () => {
    const valid = h5pyFile(`
with h5py.File(path, 'w') as f:
    f.create_group('vars').attrs['name'] = 'sequential'
    for i in range(9):
        v = f.create_group(f'layers/dense_{i}/vars')
        v.attrs['name'] = f'dense_{i}'
        v['0'] = np.arange(6, dtype='<f4').reshape(3, 2)
        v['1'] = np.arange(2, dtype='<f4')
`)
    const counts = await flipEach(valid, valid.length)
    expect(counts.refused).toBeGreaterThan(1000)
    expect(counts.read).toBeGreaterThan(0)
  })
})
