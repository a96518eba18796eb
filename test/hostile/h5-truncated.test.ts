import { describe, expect, it } from 'vitest'
import { decodeInChild, expectInvalidH5, validWeightsH5 } from './h5-support.js'

// Issue 11, item 7: a truncated .weights.h5 said only "error - name not defined!". The superblock records where
// the file ends; a shorter file is refused before HDF5 opens it, with both lengths.

describe('a truncated .weights.h5 is InvalidH5 "the file is truncated", naming both lengths', () => {
  it('cut at several points: inside the signature, the superblock, the metadata, the data, one byte short', async () => {
    const valid = await validWeightsH5()
    const cuts = [4, 12, 40, 100, 1_000, Math.floor(valid.length / 2), valid.length - 1]
    const { outcomes, stderr } = await decodeInChild(cuts.map((n) => [`cut-${n}.weights.h5`, valid.subarray(0, n)] as const))
    expectInvalidH5(outcomes[0], '/', /at '\/': no HDF5 signature at offset 0/)
    expectInvalidH5(outcomes[1], '/', /the file is truncated: it ends inside the HDF5 superblock, after 12 bytes/)
    expectInvalidH5(outcomes[2], '/', /the file is truncated: it ends inside the HDF5 superblock, after 40 bytes/)
    for (const [k, n] of cuts.entries())
      if (n >= 100)
        expectInvalidH5(
          outcomes[k],
          '/',
          new RegExp(`the file is truncated: it has ${n} bytes, and its HDF5 superblock says it ends at byte ${valid.length}`),
        )
    expect(stderr).toBe('')
  })

  it('the whole file, and the file with bytes appended (HDF5 allows that), still read', async () => {
    const valid = await validWeightsH5()
    const longer = new Uint8Array(valid.length + 100)
    longer.set(valid)
    const { outcomes } = await decodeInChild([
      ['whole.weights.h5', valid],
      ['longer.weights.h5', longer],
    ])
    for (const o of outcomes) expect(o).toMatchObject({ groups: ['layers/dense', 'optimizer', ''] })
  })
})
