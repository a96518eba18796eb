import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

describe.skipIf(!peakMeasurable())('a .keras with entries a read does not need', () => {
  it('three valid 1 GiB entries (3 MB deflated) are not inflated: the model reads as without them, in bounded time and memory', async ({
    annotate,
  }) => {
    const junk = ['junk-1', 'junk-2', 'junk-3'].map((name) => zerosEntry(name, 2 ** 30))
    const hostile = rawZip([...plain.entries, ...junk])
    expect(hostile.length).toBeLessThan(4 << 20)
    const r = await readKerasInChild(tmp.dir, plain.bytes, hostile)
    await annotate(measured(r))
    expect(r.outcome).toEqual({ _tag: 'Right', equalsPlain: true })
    expect(r.elapsedMs).toBeLessThan(TIME_BUDGET_MS)
    const needed = plain.entries.reduce((n, e) => n + e.size, 0)
    expect(r.growthBytes).toBeLessThan(needed + MEMORY_BUDGET_BYTES)
  })
})
