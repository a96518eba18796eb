import * as zlib from 'node:zlib'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { crc32 } from '../../src/platform/node/crc32.js'
import { crc32 as crc32Js } from '../../src/platform/web/crc32.js'
import { encodeZip, replaceZipEntry, zipChunks } from '../../src/keras/zip.js'
import { decodeZip, openZip, readZipEntry } from '../../src/keras/zip-read.js'

const entriesArb = fc.uniqueArray(
  fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), data: fc.uint8Array({ maxLength: 300 }) }),
  {
    selector: (e) => e.name,
    maxLength: 6,
  },
)

describe('zip (the .keras container)', () => {
  it('replaceZipEntry swaps one entry in place, the others byte for byte; readZipEntry reads one entry', async () => {
    await fc.assert(
      fc.asyncProperty(
        entriesArb.filter((es) => es.length > 0),
        fc.nat(),
        fc.uint8Array({ maxLength: 300 }),
        async (entries, at, data) => {
          const bytes = encodeZip(entries)
          if (E.isLeft(bytes)) return false
          const name = entries[at % entries.length]!.name
          const chunks = replaceZipEntry(bytes.right, name, data)
          if (E.isLeft(chunks)) return false
          const joined = Buffer.concat(chunks.right.map((c) => Buffer.from(c)))
          const expected = entries.map((e) => ({ name: e.name, data: e.name === name ? data : e.data }))
          expect(await decodeZip(new Uint8Array(joined))).toEqual(E.right(expected))
          expect(await readZipEntry(new Uint8Array(joined), name, 1000)).toEqual(E.right(data))
          expect(await readZipEntry(new Uint8Array(joined), '\u0000none', 1000)).toEqual(E.right(null))
          return true
        },
      ),
    )
  })

  it('crc32 (zlib where Node has it, else a table) equals zlib.crc32, and continues over chunks', async () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => crc32(d) === zlib.crc32(d) && crc32Js(d) === zlib.crc32(d)))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }), (a, b) => {
        const whole = zlib.crc32(Buffer.concat([a, b]))
        return crc32(b, crc32(a)) === whole && crc32Js(b, crc32Js(a)) === whole
      }),
    )
  })

  it('an entry written with `align` starts its data at a multiple of it (zipalign-style extra field), and reads back', async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb, fc.constantFrom(4, 8, 64), async (entries, align) => {
        const zip = zipChunks(entries.map((e) => ({ ...e, align })))
        if (E.isLeft(zip)) return false
        const bytes = new Uint8Array(Buffer.concat(zip.right.chunks))
        expect(bytes.length).toBe(zip.right.size)
        const archive = openZip(bytes)
        if (E.isLeft(archive)) return false
        for (const r of archive.right.records) expect(r.dataStart % align).toBe(0)
        expect(await decodeZip(bytes)).toEqual(E.right(entries.map((e) => ({ name: e.name, data: e.data }))))
        return true
      }),
    )
  })

  it('decode(encode(entries)) = entries, in order', async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb, async (entries) => {
        const bytes = encodeZip(entries)
        if (E.isLeft(bytes)) return false
        const back = await decodeZip(bytes.right)
        expect(back).toEqual(E.right(entries.map((e) => ({ name: e.name, data: e.data }))))
        return true
      }),
    )
  })

  it('reads DEFLATE entries (as Keras may write them)', async () => {
    const data = new TextEncoder().encode('{"a": 1, "a": 1, "a": 1, "a": 1}')
    const stored = encodeZip([{ name: 'config.json', data }])
    if (E.isLeft(stored)) throw new Error(stored.left.message)
    // Rewrite the single entry as method 8 with the deflated payload.
    const deflated = zlib.deflateRawSync(data)
    const s = stored.right
    const nameLen = 'config.json'.length
    const local = new Uint8Array(30 + nameLen + deflated.length)
    local.set(s.subarray(0, 30 + nameLen))
    local.set(deflated, 30 + nameLen)
    const lv = new DataView(local.buffer)
    lv.setUint16(8, 8, true)
    lv.setUint32(18, deflated.length, true)
    const central = s.slice(30 + nameLen + data.length, s.length - 22)
    const cv = new DataView(central.buffer)
    cv.setUint16(10, 8, true)
    cv.setUint32(20, deflated.length, true)
    const end = s.slice(s.length - 22)
    new DataView(end.buffer).setUint32(16, local.length, true)
    const all = new Uint8Array(local.length + central.length + end.length)
    all.set(local)
    all.set(central, local.length)
    all.set(end, local.length + central.length)
    expect(await decodeZip(all)).toEqual(E.right([{ name: 'config.json', data }]))
  })

  it('refuses repeated names, and reports corrupt data instead of returning it', async () => {
    const a = new Uint8Array([1, 2, 3])
    expect(
      E.isLeft(
        encodeZip([
          { name: 'x', data: a },
          { name: 'x', data: a },
        ]),
      ),
    ).toBe(true)
    const ok = encodeZip([{ name: 'x', data: a }])
    if (E.isLeft(ok)) throw new Error(ok.left.message)
    const bad = ok.right.slice()
    bad[31] = (bad[31] as number) ^ 0xff // flip a data byte
    expect(await decodeZip(bad)).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'InvalidZip', entry: 'x', message: expect.stringContaining("entry 'x': CRC-32 mismatch") },
    })
    expect(E.isLeft(await decodeZip(new Uint8Array(10)))).toBe(true)
  })
})
