import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeKerasArchive } from '../../src/keras/keras-file.js'
import { decodeZip } from '../../src/keras/zip-read.js'
import { kerasFixture, TIME_BUDGET_MS } from './support/keras-read.js'
import { rawZip, storedEntry } from './support/zip-bomb.js'

const keras = kerasFixture()

const data = new TextEncoder().encode('the same twenty bytes')

/** The offsets of the central records of a `rawZip` archive, and a view on it. */
const central = (zip: Uint8Array): { view: DataView; records: number[]; end: number } => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  const end = zip.length - 22
  const records: number[] = []
  for (let p = view.getUint32(end + 16, true); p < end; p += 46 + view.getUint16(p + 28, true)) records.push(p)
  return { view, records, end }
}

/** `zip` is refused with `message` (by `decodeZip`: the directory is opened and checked, then every entry read). */
const refused = async (zip: Uint8Array, message: string | RegExp): Promise<void> => {
  const read = await decodeZip(zip)
  expect(read).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidZip' } })
  expect(E.isLeft(read) && read.left.message).toMatch(message)
}

describe('the central directory is checked against the file before any entry is read', () => {
  it('two records pointing at the same bytes (overlapping entries, as in non-recursive zip bombs) are refused', async () => {
    const zip = rawZip([storedEntry('a', data), storedEntry('b', data)])
    const { view, records } = central(zip)
    view.setUint32(records[1]! + 42, view.getUint32(records[0]! + 42, true), true) // b's local header := a's
    await refused(zip, "entries 'a' and 'b' overlap")
  })

  it('a repeated name is refused (which entry a reader gets would be a guess)', async () => {
    await refused(rawZip([storedEntry('config.json', data), storedEntry('config.json', data)]), "entry name 'config.json' is repeated")
  })

  it('an entry whose stored bytes run into the central directory is refused', async () => {
    const zip = rawZip([storedEntry('a', data)])
    const { view, records } = central(zip)
    view.setUint32(records[0]! + 20, data.length + 30, true)
    await refused(zip, "entry 'a': its 51 stored bytes at offset 31 run into the central directory")
  })

  it('a directory running past its end record, bytes after its last record, or more entries than fit are refused', async () => {
    const past = rawZip([storedEntry('a', data)])
    const p = central(past)
    p.view.setUint32(p.end + 12, p.view.getUint32(p.end + 12, true) + 1, true)
    await refused(past, /runs past its end record/)

    const trailing = rawZip([storedEntry('a', data), storedEntry('b', data)])
    const t = central(trailing)
    t.view.setUint16(t.end + 8, 1, true)
    t.view.setUint16(t.end + 10, 1, true) // one record declared, two present: the second is garbage to this directory
    await refused(trailing, 'the central directory has 47 bytes after its 1 entries')

    const many = rawZip([storedEntry('a', data)])
    const m = central(many)
    m.view.setUint16(m.end + 8, 60_000, true)
    m.view.setUint16(m.end + 10, 60_000, true)
    await refused(many, '60000 entries cannot fit in a central directory of 47 bytes')
  })

  it('a local header offset past the entries is refused', async () => {
    const zip = rawZip([storedEntry('a', data)])
    const { view, records } = central(zip)
    view.setUint32(records[0]! + 42, 0x7fff_0000, true)
    await refused(zip, `entry 'a': no local header at offset ${0x7fff_0000}`)
  })

  it('65,534 entries (the most ckpt reads: a count of 65,535 marks zip64) open in bounded time, and a .keras among them reads as itself', async () => {
    const plain = keras.plain()
    const junk = Array.from({ length: 0xfffe - plain.entries.length }, (_, i) => storedEntry(`assets/${i}`, data))
    const zip = rawZip([...junk, ...plain.entries])
    const expected = await decodeKerasArchive(plain.bytes, 'plain.keras')
    const started = performance.now()
    const read = await decodeKerasArchive(zip, 'many.keras')
    const elapsed = performance.now() - started
    expect(E.isRight(read) && E.isRight(expected) && read.right).toEqual(E.isRight(expected) && expected.right)
    expect(elapsed).toBeLessThan(TIME_BUDGET_MS)
    await refused(rawZip([...junk, ...plain.entries, storedEntry('one more', data)]), 'zip64 archives are not supported')
  })

  it('corrupting or cutting a .keras anywhere gives a Left or a Right, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat()),
        async (flips, cut) => {
          const plain = keras.plain()
          const bytes = plain.bytes.slice(0, cut === null ? undefined : cut % (plain.bytes.length + 1))
          for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value
          await decodeZip(bytes)
        },
      ),
      { numRuns: 500 },
    )
  })
})
