import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeKerasArchive } from '../../src/keras/keras-file.js'
import { readZipEntry } from '../../src/keras/zip-read.js'
import { expectWithinBudget, kerasFixture, MEMORY_BUDGET_BYTES, refusedWith } from './support/keras-read.js'
import { peakMeasurable } from './support/peak.js'
import { deflatedEntry, prefixedZerosEntry, zerosEntry, type RawEntry } from './support/zip-bomb.js'

const keras = kerasFixture()

describe.skipIf(!peakMeasurable())('inflation stops at the size the directory declares', () => {
  it('a 3.7 MB .keras whose model.weights.h5 declares 5 bytes and inflates to 3.5 GiB is refused, naming the entry and its size', async (context) => {
    const r = await keras.read(context, keras.replaced(zerosEntry('model.weights.h5', 3.5 * 2 ** 30, 5)))
    expect(r.outcome).toMatchObject(refusedWith("entry 'model.weights.h5': it inflates to more than the 5 bytes it declares"))
    expectWithinBudget(r, 5)
  })

  it('a needed entry of 128 MiB (declared truly, 3 MiB stored) costs its size once: one buffer, no copies', async (context) => {
    // 3 MiB of random bytes keep the ratio under the limit; the weights are no HDF5, so the read ends with InvalidH5
    // right after inflating them, and the peak is the inflation's. No time budget: inflating 128 MiB is real work.
    const size = 128 << 20
    const r = await keras.read(context, keras.replaced(prefixedZerosEntry('model.weights.h5', randomBytes(3 << 20), size - (3 << 20))))
    expect(r.outcome).toMatchObject({ _tag: 'Left', error: { _tag: 'InvalidH5', message: expect.stringContaining('no HDF5 signature') } })
    expect(r.growthBytes).toBeLessThan(size + MEMORY_BUDGET_BYTES)
  })
})

describe('the inflated data has exactly the declared size and CRC-32', () => {
  const data = new TextEncoder().encode('{"weights": "not really"}'.repeat(40))

  it('an entry that inflates to fewer bytes than it declares is refused, with both sizes', async () => {
    const short: RawEntry = { ...deflatedEntry('model.weights.h5', data), size: data.length + 1 }
    expect(await readZipEntry(keras.replaced(short), 'model.weights.h5', 1 << 20)).toEqual(
      E.left({
        _tag: 'InvalidZip',
        entry: 'model.weights.h5',
        message: `entry 'model.weights.h5': it inflates to ${data.length} bytes; it declares ${data.length + 1}`,
      }),
    )
    const read = await decodeKerasArchive(keras.replaced(short), 'short.keras')
    expect(read).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidKerasArchive', path: 'short.keras' } })
  })

  it('an entry of the declared size whose CRC-32 differs is refused', async () => {
    const wrong: RawEntry = { ...deflatedEntry('model.weights.h5', data), crc: 1234 }
    const read = await readZipEntry(keras.replaced(wrong), 'model.weights.h5', 1 << 20)
    expect(read).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidZip', entry: 'model.weights.h5' } })
    expect(E.isLeft(read) && read.left.message).toContain('declares 1234')
  })
})
