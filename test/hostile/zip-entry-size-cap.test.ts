import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CONFIG_LIMIT, decodeKerasArchive } from '../../src/keras/keras-file.js'
import { MAX_ZIP_ENTRY_BYTES, readZipEntry } from '../../src/keras/zip-read.js'
import { expectWithinBudget, kerasFixture, refusedWith } from './support/keras-read.js'
import { peakMeasurable } from './support/peak.js'
import { prefixedZerosEntry, rawZip, storedEntry } from './support/zip-bomb.js'

const keras = kerasFixture()

describe.skipIf(!peakMeasurable())('an entry that declares more than ckpt can hold', () => {
  it('a model.weights.h5 of 3 GiB (33 MiB stored, 97:1, under the ratio limit) is refused before inflating, naming the 2 GiB limit', async (context) => {
    const size = 3 * 2 ** 30
    const weights = prefixedZerosEntry('model.weights.h5', randomBytes(33 << 20), size - (33 << 20))
    const r = await keras.read(context, keras.replaced(weights))
    expect(r.outcome).toMatchObject(
      refusedWith(`entry 'model.weights.h5': it declares ${size} bytes uncompressed; ckpt reads at most 2147483648 here`),
    )
    expectWithinBudget(r)
  })
})

describe('the size limits', () => {
  it('are a typed ZipLimitExceeded with the field, the value and the limit', async () => {
    const zip = rawZip([storedEntry('w', new Uint8Array(100))])
    expect(await readZipEntry(zip, 'w', 99)).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'ZipLimitExceeded', entry: 'w', field: 'uncompressed size', value: 100, limit: 99 },
    })
    // A caller's limit never raises the cap.
    expect(
      await readZipEntry(rawZip([{ ...storedEntry('w', new Uint8Array(0)), size: MAX_ZIP_ENTRY_BYTES + 1 }]), 'w', 2 ** 32),
    ).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'ZipLimitExceeded', field: 'uncompressed size', value: MAX_ZIP_ENTRY_BYTES + 1, limit: MAX_ZIP_ENTRY_BYTES },
    })
  })

  it('a config.json over 64 MiB is refused before it is read', async () => {
    const config = storedEntry('config.json', new Uint8Array(CONFIG_LIMIT + 1).fill(0x20))
    expect(await decodeKerasArchive(keras.replaced(config), 'big.keras')).toMatchObject({
      _tag: 'Left',
      left: refusedWith(`it declares ${CONFIG_LIMIT + 1} bytes uncompressed; ckpt reads at most ${CONFIG_LIMIT}`).error,
    })
  })
})
