import { describe, expect, it } from 'vitest'
import { expectWithinBudget, kerasFixture } from './support/keras-read.js'
import { peakMeasurable } from './support/peak.js'
import { rawZip, zerosEntry } from './support/zip-bomb.js'

const keras = kerasFixture()

describe.skipIf(!peakMeasurable())('a .keras with entries a read does not need', () => {
  it('three valid 1 GiB entries (3 MB deflated) are not inflated: the model reads as without them, in bounded time and memory', async (context) => {
    const plain = keras.plain()
    const junk = ['junk-1', 'junk-2', 'junk-3'].map((name) => zerosEntry(name, 2 ** 30))
    const hostile = rawZip([...plain.entries, ...junk])
    expect(hostile.length).toBeLessThan(4 << 20)
    const r = await keras.read(context, hostile)
    expect(r.outcome).toEqual({ _tag: 'Right', equalsPlain: true })
    expectWithinBudget(
      r,
      plain.entries.reduce((n, e) => n + e.size, 0),
    )
  })
})
