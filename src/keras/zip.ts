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
  const view = new DataView(out.buffer)
  const offsets: number[] = []
  const crcs: number[] = []
  let p = 0
  for (const [i, e] of entries.entries()) {
    const name = names[i] as Uint8Array
    const crc = crc32(e.data)
    offsets.push(p)
    crcs.push(crc)
    view.setUint32(p, LOCAL_SIG, true)
    view.setUint16(p + 4, 20, true) // version needed: 2.0
    view.setUint16(p + 6, UTF8_FLAG, true)
    view.setUint16(p + 8, 0, true) // STORE
    view.setUint16(p + 10, DOS_TIME, true)
    view.setUint16(p + 12, DOS_DATE, true)
    view.setUint32(p + 14, crc, true)
    view.setUint32(p + 18, e.data.length, true)
    view.setUint32(p + 22, e.data.length, true)
    view.setUint16(p + 26, name.length, true)
    view.setUint16(p + 28, 0, true)
    out.set(name, p + 30)
    out.set(e.data, p + 30 + name.length)
    p += 30 + name.length + e.data.length
  }
  const centralStart = p
  for (const [i, e] of entries.entries()) {
    const name = names[i] as Uint8Array
    view.setUint32(p, CENTRAL_SIG, true)
    view.setUint16(p + 4, (3 << 8) | 20, true) // made by: Unix, 2.0
    view.setUint16(p + 6, 20, true)
    view.setUint16(p + 8, UTF8_FLAG, true)
    view.setUint16(p + 10, 0, true)
    view.setUint16(p + 12, DOS_TIME, true)
    view.setUint16(p + 14, DOS_DATE, true)
    view.setUint32(p + 16, crcs[i] as number, true)
    view.setUint32(p + 20, e.data.length, true)
    view.setUint32(p + 24, e.data.length, true)
    view.setUint16(p + 28, name.length, true)
    view.setUint16(p + 30, 0, true) // extra
    view.setUint16(p + 32, 0, true) // comment
    view.setUint16(p + 34, 0, true) // disk
    view.setUint16(p + 36, 0, true) // internal attributes
    view.setUint32(p + 38, (0o100644 << 16) >>> 0, true) // external: regular file, rw-r--r--
    view.setUint32(p + 42, offsets[i] as number, true)
    out.set(name, p + 46)
    p += 46 + name.length
  }
  view.setUint32(p, END_SIG, true)
  view.setUint16(p + 4, 0, true)
  view.setUint16(p + 6, 0, true)
  view.setUint16(p + 8, entries.length, true)
  view.setUint16(p + 10, entries.length, true)
  view.setUint32(p + 12, p - centralStart, true)
  view.setUint32(p + 16, centralStart, true)
  view.setUint16(p + 20, 0, true)
  return E.right(out)
}

const findEnd = (view: DataView): number => {
  const min = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let p = view.byteLength - 22; p >= min; p--) if (view.getUint32(p, true) === END_SIG) return p
  return -1
}

/**
 * The entries of a zip archive, in central-directory order. Reads STORE and DEFLATE entries and checks
 * each entry's CRC-32. Left, with the reason, for anything else (zip64, encryption, other methods, bad CRC).
 */
export const decodeZip = (bytes: Uint8Array): E.Either<ZipError, ReadonlyArray<ZipEntry>> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = findEnd(view)
  if (end < 0) return E.left(zipError('no end-of-central-directory record (not a zip archive)'))
  const count = view.getUint16(end + 10, true)
  const centralSize = view.getUint32(end + 12, true)
  const centralStart = view.getUint32(end + 16, true)
  if (count === 0xffff || centralStart === MAX32 || centralSize === MAX32) return E.left(zipError('zip64 archives are not supported'))
  if (centralStart + centralSize > end) return E.left(zipError('the central directory lies outside the archive'))
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const out: ZipEntry[] = []
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
    p += 46 + nameLength + extraLength + commentLength
    if (flags & 1) return E.left(zipError(`entry '${name}' is encrypted`))
    if (compressed === MAX32 || size === MAX32 || local === MAX32)
      return E.left(zipError(`entry '${name}' needs zip64, which is not supported`))
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_SIG) return E.left(zipError(`entry '${name}': bad local header`))
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
    if (dataStart + compressed > bytes.length) return E.left(zipError(`entry '${name}' runs past the end of the archive`))
    const raw = bytes.subarray(dataStart, dataStart + compressed)
    let data: Uint8Array
    if (method === 0) data = raw.slice()
    else if (method === 8) {
      try {
        data = new Uint8Array(inflateRawSync(raw))
      } catch (e) {
        return E.left(zipError(`entry '${name}': deflate data is corrupt (${e instanceof Error ? e.message : String(e)})`))
      }
    } else return E.left(zipError(`entry '${name}' uses compression method ${method}; only 0 (store) and 8 (deflate) are supported`))
    if (data.length !== size) return E.left(zipError(`entry '${name}': ${data.length} bytes, the directory says ${size}`))
    if (crc32(data) !== crc) return E.left(zipError(`entry '${name}': CRC-32 mismatch`))
    out.push({ name, data })
  }
  return E.right(out)
}
