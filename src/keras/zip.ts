import * as E from '#fp-ts/Either.js'
import { concatChunks } from '../storage/data.js'
import { crc32 } from '#platform/crc32.js'
import { invalidZip, type ZipError } from './zip-error.js'
import { CENTRAL_SIG, END_SIG, LOCAL_SIG, MAX32, openZip } from './zip-read.js'

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

/** An entry to write: its name, and its data as one buffer or as chunks written one after the other (never joined). */
export interface ZipEntryChunks {
  readonly name: string
  readonly data: Uint8Array | ReadonlyArray<Uint8Array>
  /** Start the data at an offset that is a multiple of this (padding the local header's extra field, as zipalign does). */
  readonly align?: number
}

/** The extra field ID Android's zipalign pads with; readers skip extra fields they do not know. */
const ALIGNMENT_EXTRA = 0xd935

/** Extra field bytes that make data after a local header ending at `end` start at a multiple of `align`: 0, or at least 4. */
const paddingFor = (end: number, align: number): number => {
  const pad = (align - (end % align)) % align
  return pad === 0 ? 0 : pad < 4 ? pad + align * Math.ceil((4 - pad) / align) : pad
}

/** A zip archive as chunks to write in order, `size` bytes in all. */
export interface ZipChunks {
  readonly size: number
  readonly chunks: ReadonlyArray<Uint8Array>
}

/**
 * The zip archive holding `entries` in order, STORE method, deterministic (fixed timestamps), as chunks: each
 * entry's local header, then its data chunks as given (no copy), then the central directory. Left when a name is
 * empty or repeated, or the archive would need zip64.
 */
export const zipChunks = (entries: ReadonlyArray<ZipEntryChunks>): E.Either<ZipError, ZipChunks> => {
  const encoder = new TextEncoder()
  const seen = new Set<string>()
  const names = entries.map((e) => encoder.encode(e.name))
  const datas = entries.map((e) => (e.data instanceof Uint8Array ? [e.data] : e.data))
  const sizes = datas.map((chunks) => chunks.reduce((n, c) => n + c.length, 0))
  const extras: number[] = []
  let localSize = 0
  let centralSize = 0
  for (const [i, e] of entries.entries()) {
    if (e.name.length === 0) return E.left(invalidZip(null, `zip entry ${i} has an empty name`))
    if (seen.has(e.name)) return E.left(invalidZip(e.name, `zip entry name '${e.name}' is repeated`))
    seen.add(e.name)
    const nameLength = (names[i] as Uint8Array).length
    const extra = e.align === undefined ? 0 : paddingFor(localSize + 30 + nameLength, e.align)
    extras.push(extra)
    localSize += 30 + nameLength + extra + (sizes[i] as number)
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
  const chunks: Uint8Array[] = []
  const central: Uint8Array[] = []
  let p = 0
  for (const [i, data] of datas.entries()) {
    const crc = data.reduce((c, chunk) => crc32(chunk, c), 0)
    const { header, record } = storedHeaders(names[i] as Uint8Array, crc, sizes[i] as number, p, extras[i])
    chunks.push(header, ...data)
    central.push(record)
    p += header.length + (sizes[i] as number)
  }
  chunks.push(...central, endRecord(entries.length, centralSize, localSize))
  return E.right({ size: total, chunks })
}

/** {@link zipChunks} in one buffer. */
export const encodeZip = (entries: ReadonlyArray<ZipEntryChunks>): E.Either<ZipError, Uint8Array> =>
  E.map((zip: ZipChunks) => concatChunks(zip.chunks, zip.size))(zipChunks(entries))

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

/**
 * The local header (its data to follow; `extra` bytes of alignment padding, 0 or at least 4) and the central record
 * of an entry of `size` bytes at `offset`, STORE method.
 */
const storedHeaders = (
  name: Uint8Array,
  crc: number,
  size: number,
  offset: number,
  extra = 0,
): { header: Uint8Array; record: Uint8Array } => {
  const header = new Uint8Array(30 + name.length + extra)
  const lv = new DataView(header.buffer)
  lv.setUint32(0, LOCAL_SIG, true)
  putCommon(lv, 4, crc, size, name.length)
  header.set(name, 30)
  if (extra > 0) {
    lv.setUint16(28, extra, true)
    lv.setUint16(30 + name.length, ALIGNMENT_EXTRA, true)
    lv.setUint16(32 + name.length, extra - 4, true)
  }
  const record = new Uint8Array(46 + name.length)
  const cv = new DataView(record.buffer)
  cv.setUint32(0, CENTRAL_SIG, true)
  cv.setUint16(4, (3 << 8) | 20, true) // made by: Unix, 2.0
  putCommon(cv, 6, crc, size, name.length)
  cv.setUint32(38, (0o100644 << 16) >>> 0, true) // external: regular file, rw-r--r--
  cv.setUint32(42, offset, true)
  record.set(name, 46)
  return { header, record }
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
  const entry = storedHeaders(new TextEncoder().encode(name), crc32(data), data.length, target.local)
  const delta = entry.header.length + data.length - (next - target.local)
  const newStart = start + delta
  const centralParts: Uint8Array[] = []
  for (const r of records) {
    if (r === target) {
      centralParts.push(entry.record)
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
    entry.header,
    data,
    bytes.subarray(next, start),
    ...centralParts,
    endRecord(records.length, centralSize, newStart),
  ])
}
