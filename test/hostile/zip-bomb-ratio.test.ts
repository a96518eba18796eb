import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ZIP_RATIO, readZipEntry, ZIP_RATIO_FLOOR_BYTES } from '../../src/keras/zip-read.js'
import { tempDir } from '../cli/support.js'
import { MEMORY_BUDGET_BYTES, measured, plainKeras, readKerasInChild, TIME_BUDGET_MS } from './support/keras-read.js'
import { peakMeasurable } from './support/peak.js'
import { rawZip, zerosEntry, type RawEntry } from './support/zip-bomb.js'

const tmp = tempDir('ckpt-hostile-zip-')
afterAll(tmp.cleanup)

let plain: { readonly bytes: Uint8Array; readonly entries: ReadonlyArray<RawEntry> }
beforeAll(async () => {
  plain = await plainKeras()
})

const withWeights = (weights: RawEntry): Uint8Array => rawZip([...plain.entries.filter((e) => e.name !== 'model.weights.h5'), weights])

describe.skipIf(!peakMeasurable())('an entry that declares its size truly, at an absurd ratio', () => {
  it('a 1 GiB model.weights.h5 stored in 1 MB (1011:1) is refused before inflating, naming the entry, its ratio and the limit', async ({
    annotate,
  }) => {
    const r = await readKerasInChild(tmp.dir, plain.bytes, withWeights(zerosEntry('model.weights.h5', 2 ** 30)))
    await annotate(measured(r))
    expect(r.outcome).toMatchObject({
      _tag: 'Left',
      error: {
        _tag: 'InvalidKerasArchive',
        message: expect.stringContaining(
          "entry 'model.weights.h5': it declares 1073741824 bytes from 1061890 stored (1011:1); ckpt inflates entries over 1048576 bytes at most 100:1",
        ),
      },
    })
    expect(r.elapsedMs).toBeLessThan(TIME_BUDGET_MS)
    expect(r.growthBytes).toBeLessThan(MEMORY_BUDGET_BYTES)
  })
})

describe('the ratio limit', () => {
  it('is a typed ZipLimitExceeded with the field, the value and the limit', () => {
    const read = readZipEntry(rawZip([zerosEntry('w', 2 * ZIP_RATIO_FLOOR_BYTES)]), 'w', 2 ** 31)
    expect(read).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'ZipLimitExceeded', entry: 'w', field: 'compression ratio', limit: MAX_ZIP_RATIO },
    })
    expect(E.isLeft(read) && read.left._tag === 'ZipLimitExceeded' && read.left.value).toBeGreaterThan(900)
  })

  it('spares entries up to 1 MiB, whatever their ratio', () => {
    const read = readZipEntry(rawZip([zerosEntry('w', ZIP_RATIO_FLOOR_BYTES)]), 'w', 2 ** 31)
    const data = E.isRight(read) ? read.right : null
    expect(data?.length).toBe(ZIP_RATIO_FLOOR_BYTES)
    expect(data?.every((b) => b === 0)).toBe(true)
  })
})
