import { describe, it } from 'vitest'
import { decodeInChild, expectInvalidH5, h5pyFile, h5pyMissing } from './h5-support.js'

// A dataset whose storage was never written reads as its fill value: a few-KB file can declare a 256 MiB
// dataset, which ckpt would allocate (twice: in h5wasm's heap, then as a typed array). Keras stores all data
// uncompressed in the file, so the datasets may declare at most the file's length in all.
// h5wasm always writes a dataset's data; h5py can leave it unallocated.

if (h5pyMissing) console.warn(`h5-declared-size: skipped: ${h5pyMissing} (run \`pip install h5py\`)`)

describe.skipIf(h5pyMissing !== undefined)('datasets declaring more data than the file holds are InvalidH5', () => {
  it('a never-written 256 MiB float32 dataset in a small file', async () => {
    const bytes = h5pyFile(`
with h5py.File(path, 'w') as f:
    f.create_group('vars').attrs['name'] = 'sequential'
    v = f.create_group('layers/dense/vars')
    v.attrs['name'] = 'dense'
    v.create_dataset('0', shape=(64 * 1024 * 1024,), dtype='<f4')
`)
    const { outcomes } = await decodeInChild([['unwritten.weights.h5', bytes]])
    expectInvalidH5(
      outcomes[0],
      '/layers/dense/vars/0',
      new RegExp(
        `the datasets declare 268435456 bytes of data so far, more than the file's ${bytes.length} bytes; ckpt reads uncompressed data stored in the file`,
      ),
    )
  })
})
