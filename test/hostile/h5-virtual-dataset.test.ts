import { describe, it } from 'vitest'
import { decodeInChild, expectInvalidH5, h5pyFile, h5pyMissing } from './h5-support.js'

// Issue 11, item 7: virtual datasets are refused by name: their data comes from other datasets, in other
// files or in this one, which Keras never writes. h5wasm cannot write them; h5py (Python) does.

if (h5pyMissing) console.warn(`h5-virtual-dataset: skipped: ${h5pyMissing} (run \`pip install h5py\`)`)

const withVirtual = (sourceFile: string, sourceDataset: string): string => `
with h5py.File(path, 'w') as f:
    f.create_group('vars').attrs['name'] = 'sequential'
    v = f.create_group('layers/dense/vars')
    v.attrs['name'] = 'dense'
    v.create_dataset('1', data=np.arange(6, dtype='<f4').reshape(2, 3))
    layout = h5py.VirtualLayout(shape=(2, 3), dtype='<f4')
    layout[:] = h5py.VirtualSource(${JSON.stringify(sourceFile)}, ${JSON.stringify(sourceDataset)}, shape=(2, 3))
    v.create_virtual_dataset('0', layout, fillvalue=0)
`

describe.skipIf(h5pyMissing !== undefined)('a virtual dataset is InvalidH5, naming the dataset and its sources', () => {
  it('sourced from another file, and from a dataset in the same file', async () => {
    const { outcomes } = await decodeInChild([
      ['other-file.weights.h5', h5pyFile(withVirtual('source.h5', 'data'))],
      ['same-file.weights.h5', h5pyFile(withVirtual('.', '/layers/dense/vars/1'))],
    ])
    expectInvalidH5(
      outcomes[0],
      '/layers/dense/vars/0',
      /at '\/layers\/dense\/vars\/0': a virtual dataset \(its data comes from 'data' in 'source\.h5'\); ckpt reads only data stored in the file itself/,
    )
    expectInvalidH5(outcomes[1], '/layers/dense/vars/0', /a virtual dataset \(its data comes from '\/layers\/dense\/vars\/1' in '\.'\)/)
  })
})
