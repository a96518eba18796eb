import * as E from '#fp-ts/Either.js'
import { crc32 } from './crc32.js'
import { invalidZip, type ZipError } from './zip-error.js'
import { CENTRAL_SIG, END_SIG, LOCAL_SIG, MAX32, openZip, type ZipEntry } from './zip-read.js'

/**
 * Writing the zip container of a `.keras` file: STORE (uncompressed) entries, as Keras writes them and Python's
 * `zipfile` reads them. No zip64: an archive must stay below 4 GiB, and more than that is an error, never a bad
 * file. Reading is `zip-read.ts`.
 */

/** 1980-01-01 00:00:00 in MS-DOS format: fixed, so the same entries always give the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1
const DOS_TIME = 0
/** General purpose flag bit 11: the name is UTF-8. */
const UTF8_FLAG = 0x0800

/**
 * The zip archive holding `entries` in order, STORE method, deterministic (fixed timestamps).
 * Left when a name is empty or repeated, or the archive would need zip64.
 */
export const encodeZip = (entries: ReadonlyArray<ZipEntry>): E.Either<ZipError, Uint8Array> => {
  const encoder = new TextEncoder()
  const seen = new Set<string>()
  const names = entries.map((e) => encoder.encode(e.name))
  let localSize = 0
  let centralSize = 0
  for (const [i, e] of entries.entries()) {
    if (e.name.length === 0) return E.left(invalidZip(null, `zip entry ${i} has an empty name`))
    if (seen.has(e.name)) return E.left(invalidZip(e.name, `zip entry name '${e.name}' is repeated`))
    seen.add(e.name)
    const nameLength = (names[i] as Uint8Array).length
    localSize += 30 + nameLength + e.data.length
    centralSize += 46 + nameLength
  }
  const total = localSize + centralSize + 22
  if (total > MAX32 || entries.length > 0xffff) {
    return E.left(
      invalidZip(
        null,
        `the archive would be ${total} bytes with ${entries.length} entries; ckpt writes no zip64 (max 4 GiB, 65535 entries)`,
      ),
    )
  }
  const out = new Uint8Array(total)
  let p = 0
  let c = localSize
  for (const [i, e] of entries.entries()) {
    const { local, central } = storedEntry(names[i] as Uint8Array, e.data, p)
    out.set(local, p)
    out.set(central, c)
    p += local.length
    c += central.length
  }
  out.set(endRecord(entries.length, centralSize, localSize), c)
  return E.right(out)
}

/** The end-of-central-directory record. */
const endRecord = (count: number, centralSize: number, centralStart: number): Uint8Array => {
  const eocd = new Uint8Array(22)
  const ev = new DataView(eocd.buffer)
  ev.setUint32(0, END_SIG, true)
  ev.setUint16(8, count, true)
  ev.setUint16(10, count, true)
  ev.setUint32(12, centralSize, true)
  ev.setUint32(16, centralStart, true)
  return eocd
}

/**
 * The fields a local header (at +4) and a central record (at +6) share: version needed 2.0, UTF-8 flag,
 * STORE, the fixed time and date, CRC-32, both sizes, the name's length.
 */
const putCommon = (view: DataView, at: number, crc: number, size: number, nameLength: number): void => {
  view.setUint16(at, 20, true)
  view.setUint16(at + 2, UTF8_FLAG, true)
  view.setUint16(at + 4, 0, true)
  view.setUint16(at + 6, DOS_TIME, true)
  view.setUint16(at + 8, DOS_DATE, true)
  view.setUint32(at + 10, crc, true)
  view.setUint32(at + 14, size, true)
  view.setUint32(at + 18, size, true)
  view.setUint16(at + 22, nameLength, true)
}

/** A local header plus data at `offset`, and the central record for it, STORE method. */
const storedEntry = (name: Uint8Array, data: Uint8Array, offset: number): { local: Uint8Array; central: Uint8Array } => {
  const crc = crc32(data)
  const local = new Uint8Array(30 + name.length + data.length)
  const lv = new DataView(local.buffer)
  lv.setUint32(0, LOCAL_SIG, true)
  putCommon(lv, 4, crc, data.length, name.length)
  local.set(name, 30)
  local.set(data, 30 + name.length)
  const central = new Uint8Array(46 + name.length)
  const cv = new DataView(central.buffer)
  cv.setUint32(0, CENTRAL_SIG, true)
  cv.setUint16(4, (3 << 8) | 20, true) // made by: Unix, 2.0
  putCommon(cv, 6, crc, data.length, name.length)
  cv.setUint32(38, (0o100644 << 16) >>> 0, true) // external: regular file, rw-r--r--
  cv.setUint32(42, offset, true)
  central.set(name, 46)
  return { local, central }
}

/**
 * The archive with the entry called `name` replaced by `data` (STORE), in the same place, every other
 * entry's bytes unchanged; as chunks that view `bytes` (no copy of the other entries' data). The entry
 * must exist. Left when the archive cannot be read, or the result would need zip64.
 */
export const replaceZipEntry = (bytes: Uint8Array, name: string, data: Uint8Array): E.Either<ZipError, ReadonlyArray<Uint8Array>> => {
  const archive = openZip(bytes)
  if (E.isLeft(archive)) return archive
  const { records, centralStart: start } = archive.right
  const target = records.find((r) => r.name === name)
  if (target === undefined) return E.left(invalidZip(name, `no entry '${name}' to replace`))
  // The entry's local bytes run to the next local header (or the central directory): any data descriptor included.
  const next = records.reduce((n, r) => (r.local > target.local ? Math.min(n, r.local) : n), start)
  const entry = storedEntry(new TextEncoder().encode(name), data, target.local)
  const delta = entry.local.length - (next - target.local)
  const newStart = start + delta
  const centralParts: Uint8Array[] = []
  for (const r of records) {
    if (r === target) {
      centralParts.push(entry.central)
      continue
    }
    const rec = bytes.slice(r.at, r.at + r.length)
    if (r.local > target.local) new DataView(rec.buffer).setUint32(42, r.local + delta, true)
    centralParts.push(rec)
  }
  const centralSize = centralParts.reduce((n, c) => n + c.length, 0)
  if (newStart + centralSize + 22 > MAX32) return E.left(invalidZip(null, 'the archive would need zip64, which ckpt does not write'))
  return E.right([
    bytes.subarray(0, target.local),
    entry.local,
    bytes.subarray(next, start),
    ...centralParts,
    endRecord(records.length, centralSize, newStart),
  ])
}
