import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { MAX_ZIP_RATIO, readZipEntry, ZIP_RATIO_FLOOR_BYTES } from '../../src/keras/zip-read.js'
import { expectWithinBudget, kerasFixture, refusedWith } from './support/keras-read.js'
import { peakMeasurable } from './support/peak.js'
import { rawZip, zerosEntry } from './support/zip-bomb.js'

const keras = kerasFixture()

describe.skipIf(!peakMeasurable())('an entry that declares its size truly, at an absurd ratio', () => {
  it('a 1 GiB model.weights.h5 stored in 1 MB (1011:1) is refused before inflating, naming the entry, its ratio and the limit', async (context) => {
    const r = await keras.read(context, keras.replaced(zerosEntry('model.weights.h5', 2 ** 30)))
    expect(r.outcome).toMatchObject(
      refusedWith(
        "entry 'model.weights.h5': it declares 1073741824 bytes from 1061890 stored (1011:1); ckpt inflates entries over 1048576 bytes at most 100:1",
      ),
    )
    expectWithinBudget(r)
  })
})

describe('the ratio limit', () => {
  it('is a typed ZipLimitExceeded with the field, the value and the limit', async () => {
    const read = await readZipEntry(rawZip([zerosEntry('w', 2 * ZIP_RATIO_FLOOR_BYTES)]), 'w', 2 ** 31)
    expect(read).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'ZipLimitExceeded', entry: 'w', field: 'compression ratio', limit: MAX_ZIP_RATIO },
    })
    expect(E.isLeft(read) && read.left._tag === 'ZipLimitExceeded' && read.left.value).toBeGreaterThan(900)
  })

  it('spares entries up to 1 MiB, whatever their ratio', async () => {
    const read = await readZipEntry(rawZip([zerosEntry('w', ZIP_RATIO_FLOOR_BYTES)]), 'w', 2 ** 31)
    const data = E.isRight(read) ? read.right : null
    expect(data?.length).toBe(ZIP_RATIO_FLOOR_BYTES)
    expect(data?.every((b) => b === 0)).toBe(true)
  })
})
