import { describe, it } from 'vitest'
import { decodeInChild, expectInvalidH5, h5pyFile, h5pyMissing } from './h5-support.js'

// Issue 11, item 7: a dataset with external storage gave a Right holding garbage floats (HDF5 could not open
// the external file, h5wasm returned its read buffer as it was). HDF5 may now open no file but the one read,
// so a dataset whose data lives in another file is refused by name, even one HDF5 could open (/dev/urandom).
// h5wasm cannot write external storage; h5py (Python) does.

if (h5pyMissing) console.warn(`h5-external-dataset: skipped: ${h5pyMissing} (run \`pip install h5py\`)`)

const withExternal = (file: string): string => `
with h5py.File(path, 'w') as f:
    f.create_group('vars').attrs['name'] = 'sequential'
    v = f.create_group('layers/dense/vars')
    v.attrs['name'] = 'dense'
    v.create_dataset('0', shape=(2, 3), dtype='<f4', external=[(${JSON.stringify(file)}, 0, 24)])
`

describe.skipIf(h5pyMissing !== undefined)('a dataset with external storage is InvalidH5, naming the dataset and the file', () => {
  it('an external file that does not exist, and one that does (/dev/urandom in h5wasm)', async () => {
    const { outcomes } = await decodeInChild([
      ['missing.weights.h5', h5pyFile(withExternal('weights.bin'))],
      ['urandom.weights.h5', h5pyFile(withExternal('/dev/urandom'))],
    ])
    expectInvalidH5(
      outcomes[0],
      '/layers/dense/vars/0',
      /at '\/layers\/dense\/vars\/0': the dataset keeps its data in another file \('\/weights\.bin'\): external storage; ckpt reads only data stored in the file itself/,
    )
    expectInvalidH5(outcomes[1], '/layers/dense/vars/0', /another file \('\/dev\/urandom'\): external storage/)
  })
})
