import * as E from '#fp-ts/Either.js'
import { inflateRawSync } from 'node:zlib'

/**
 * The zip container of a `.keras` file. Writes STORE (uncompressed) entries, which Python's `zipfile`
 * and Keras read; reads STORE and DEFLATE entries (Keras writes either, depending on its version).
 * No zip64: entries and archives must stay below 4 GiB, and more than that is an error, never a bad file.
 */

/** One named file inside a zip archive. */
export interface ZipEntry {
  readonly name: string
  readonly data: Uint8Array
}

/** Why a byte string is not a zip archive ckpt can read. */
export interface ZipError {
  readonly _tag: 'InvalidZip'
  readonly message: string
}

const zipError = (message: string): ZipError => ({ _tag: 'InvalidZip', message })

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE 802.3, as zip and zlib use it). */
export const crc32 = (data: Uint8Array): number => {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const LOCAL_SIG = 0x04034b50
const CENTRAL_SIG = 0x02014b50
const END_SIG = 0x06054b50
const MAX32 = 0xffffffff
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
    if (e.name.length === 0) return E.left(zipError(`zip entry ${i} has an empty name`))
    if (seen.has(e.name)) return E.left(zipError(`zip entry name '${e.name}' is repeated`))
    seen.add(e.name)
    const nameLength = (names[i] as Uint8Array).length
    localSize += 30 + nameLength + e.data.length
    centralSize += 46 + nameLength
  }
  const total = localSize + centralSize + 22
  if (total > MAX32 || entries.length > 0xffff) {
    return E.left(
      zipError(`the archive would be ${total} bytes with ${entries.length} entries; ckpt writes no zip64 (max 4 GiB, 65535 entries)`),
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

const findEnd = (view: DataView): number => {
  const min = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let p = view.byteLength - 22; p >= min; p--) if (view.getUint32(p, true) === END_SIG) return p
  return -1
}

/** One central-directory record, with where its data lies in the archive. */
interface CentralRecord {
  readonly name: string
  readonly flags: number
  readonly method: number
  readonly crc: number
  readonly compressed: number
  readonly size: number
  /** Offset of the entry's local header. */
  readonly local: number
  readonly dataStart: number
  /** Offset and length of the record itself in the central directory. */
  readonly at: number
  readonly length: number
}

interface CentralDirectory {
  readonly records: ReadonlyArray<CentralRecord>
  readonly start: number
  readonly end: number
}

/** The central directory of a zip archive (no zip64), each record checked against its local header. */
const readCentral = (bytes: Uint8Array): E.Either<ZipError, CentralDirectory> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = findEnd(view)
  if (end < 0) return E.left(zipError('no end-of-central-directory record (not a zip archive)'))
  const count = view.getUint16(end + 10, true)
  const centralSize = view.getUint32(end + 12, true)
  const centralStart = view.getUint32(end + 16, true)
  if (count === 0xffff || centralStart === MAX32 || centralSize === MAX32) return E.left(zipError('zip64 archives are not supported'))
  if (centralStart + centralSize > end) return E.left(zipError('the central directory lies outside the archive'))
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const records: CentralRecord[] = []
  let p = centralStart
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || view.getUint32(p, true) !== CENTRAL_SIG) return E.left(zipError(`central directory entry ${i} is corrupt`))
    const flags = view.getUint16(p + 8, true)
    const method = view.getUint16(p + 10, true)
    const crc = view.getUint32(p + 16, true)
    const compressed = view.getUint32(p + 20, true)
    const size = view.getUint32(p + 24, true)
    const nameLength = view.getUint16(p + 28, true)
    const extraLength = view.getUint16(p + 30, true)
    const commentLength = view.getUint16(p + 32, true)
    const local = view.getUint32(p + 42, true)
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength))
    const length = 46 + nameLength + extraLength + commentLength
    if (p + length > end) return E.left(zipError(`central directory entry ${i} is corrupt`))
    if (flags & 1) return E.left(zipError(`entry '${name}' is encrypted`))
    if (compressed === MAX32 || size === MAX32 || local === MAX32)
      return E.left(zipError(`entry '${name}' needs zip64, which is not supported`))
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_SIG) return E.left(zipError(`entry '${name}': bad local header`))
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
    if (dataStart + compressed > bytes.length) return E.left(zipError(`entry '${name}' runs past the end of the archive`))
    records.push({ name, flags, method, crc, compressed, size, local, dataStart, at: p, length })
    p += length
  }
  return E.right({ records, start: centralStart, end })
}

/**
 * The data of one entry, CRC-checked. Inflating never produces more than the size the directory records,
 * nor more than `limit` bytes: a hostile archive cannot make it allocate more.
 */
const entryData = (bytes: Uint8Array, r: CentralRecord, limit: number): E.Either<ZipError, Uint8Array> => {
  if (r.size > limit) return E.left(zipError(`entry '${r.name}' is ${r.size} bytes, more than the ${limit} allowed here`))
  const raw = bytes.subarray(r.dataStart, r.dataStart + r.compressed)
  let data: Uint8Array
  if (r.method === 0) data = raw.slice()
  else if (r.method === 8) {
    try {
      data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, r.size) }))
    } catch (e) {
      return E.left(
        zipError(`entry '${r.name}': deflate data is corrupt or larger than recorded (${e instanceof Error ? e.message : String(e)})`),
      )
    }
  } else return E.left(zipError(`entry '${r.name}' uses compression method ${r.method}; only 0 (store) and 8 (deflate) are supported`))
  if (data.length !== r.size) return E.left(zipError(`entry '${r.name}': ${data.length} bytes, the directory says ${r.size}`))
  if (crc32(data) !== r.crc) return E.left(zipError(`entry '${r.name}': CRC-32 mismatch`))
  return E.right(data)
}

/**
 * The entries of a zip archive, in central-directory order. Reads STORE and DEFLATE entries and checks
 * each entry's CRC-32; no entry inflates past the size its directory record states. Left, with the reason,
 * for anything else (zip64, encryption, other methods, bad CRC).
 */
export const decodeZip = (bytes: Uint8Array): E.Either<ZipError, ReadonlyArray<ZipEntry>> => {
  const central = readCentral(bytes)
  if (E.isLeft(central)) return central
  const out: ZipEntry[] = []
  for (const r of central.right.records) {
    const data = entryData(bytes, r, MAX32)
    if (E.isLeft(data)) return data
    out.push({ name: r.name, data: data.right })
  }
  return E.right(out)
}

/**
 * The data of the entry called `name`, or null without one; reads only that entry, and Left when it is
 * larger than `limit` bytes (inflated) or unreadable.
 */
export const readZipEntry = (bytes: Uint8Array, name: string, limit: number): E.Either<ZipError, Uint8Array | null> => {
  const central = readCentral(bytes)
  if (E.isLeft(central)) return central
  const r = central.right.records.find((c) => c.name === name)
  return r === undefined ? E.right(null) : entryData(bytes, r, limit)
}

/**
 * The archive with the entry called `name` replaced by `data` (STORE), in the same place, every other
 * entry's bytes unchanged; as chunks that view `bytes` (no copy of the other entries' data). The entry
 * must exist. Left when the archive cannot be read, or the result would need zip64.
 */
export const replaceZipEntry = (bytes: Uint8Array, name: string, data: Uint8Array): E.Either<ZipError, ReadonlyArray<Uint8Array>> => {
  const central = readCentral(bytes)
  if (E.isLeft(central)) return central
  const { records, start } = central.right
  const target = records.find((r) => r.name === name)
  if (target === undefined) return E.left(zipError(`no entry '${name}' to replace`))
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
  if (newStart + centralSize + 22 > MAX32) return E.left(zipError('the archive would need zip64, which ckpt does not write'))
  return E.right([
    bytes.subarray(0, target.local),
    entry.local,
    bytes.subarray(next, start),
    ...centralParts,
    endRecord(records.length, centralSize, newStart),
  ])
}
