import * as E from '#fp-ts/Either.js'
import { crc32 } from '#platform/crc32.js'
import { inflateRaw } from '#platform/inflate.js'
import { invalidZip, type ZipError } from './zip-error.js'

/**
 * Reading a zip archive (a `.keras` file) lazily: {@link openZip} checks the central directory against the
 * bytes, in time linear in the directory, and inflates nothing; {@link readEntry} inflates one entry, refused
 * before any work when its declared size or ratio is over the limits below, and never past its declared size.
 * STORE and DEFLATE; no zip64, encryption or multi-disk archives.
 */

export const LOCAL_SIG = 0x04034b50
export const CENTRAL_SIG = 0x02014b50
export const END_SIG = 0x06054b50
export const MAX32 = 0xffffffff

/**
 * The most any one entry may hold uncompressed: 2 GiB, the largest heap h5wasm (which reads the weights) can
 * have. The entry is held whole in memory, and handed on whole.
 */
export const MAX_ZIP_ENTRY_BYTES = 2 ** 31
/**
 * The most an entry may expand (uncompressed : compressed) above {@link ZIP_RATIO_FLOOR_BYTES}: Keras 3.15's own
 * bound (`_ZIP_MEMBER_MAX_EXPANSION` in saving_lib, applied there above 4 GiB). Keras writes entries stored (1:1),
 * trained float weights barely deflate; DEFLATE's own maximum is 1032:1, approached only by runs of one byte.
 */
export const MAX_ZIP_RATIO = 100
/** Entries up to 1 MiB may have any ratio: inflating one costs at most that. */
export const ZIP_RATIO_FLOOR_BYTES = 1 << 20

/** One central-directory record, with where its data lies in the archive. */
export interface ZipRecord {
  readonly name: string
  readonly flags: number
  readonly method: number
  readonly crc: number
  /** The sizes the record declares: stored bytes, and uncompressed bytes. */
  readonly compressed: number
  readonly size: number
  /** Offset of the entry's local header, and of its data. */
  readonly local: number
  readonly dataStart: number
  /** Offset and length of the record itself in the central directory. */
  readonly at: number
  readonly length: number
}

/** An opened archive: its bytes and the directory's records, checked; no entry inflated. */
export interface ZipArchive {
  readonly bytes: Uint8Array
  /** In central-directory order; 65,535 at most (no zip64). */
  readonly records: ReadonlyArray<ZipRecord>
  /** Offset of the central directory (where the entries' area ends). */
  readonly centralStart: number
}

/** The end-of-central-directory record's offset: in the last 22 + 65,535 bytes (its comment is at most that), or -1. */
const findEnd = (view: DataView): number => {
  const min = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let p = view.byteLength - 22; p >= min; p--) if (view.getUint32(p, true) === END_SIG) return p
  return -1
}

/** The central directory's records, each within the directory and pointing at a local header before it. */
const readRecords = (bytes: Uint8Array, view: DataView, count: number, start: number, size: number): E.Either<ZipError, ZipRecord[]> => {
  const decoder = new TextDecoder('utf-8', { fatal: false })
  const end = start + size
  const records: ZipRecord[] = []
  let p = start
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || view.getUint32(p, true) !== CENTRAL_SIG) return E.left(invalidZip(null, `central directory entry ${i} is corrupt`))
    const nameLength = view.getUint16(p + 28, true)
    const length = 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true)
    if (p + length > end) return E.left(invalidZip(null, `central directory entry ${i} runs past the directory's end`))
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength))
    const compressed = view.getUint32(p + 20, true)
    const size = view.getUint32(p + 24, true)
    const local = view.getUint32(p + 42, true)
    if (compressed === MAX32 || size === MAX32 || local === MAX32)
      return E.left(invalidZip(name, `entry '${name}' needs zip64, which is not supported`))
    if (local + 30 > start || view.getUint32(local, true) !== LOCAL_SIG)
      return E.left(invalidZip(name, `entry '${name}': no local header at offset ${local}`))
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
    if (dataStart + compressed > start)
      return E.left(
        invalidZip(name, `entry '${name}': its ${compressed} stored bytes at offset ${dataStart} run into the central directory`),
      )
    const flags = view.getUint16(p + 8, true)
    const method = view.getUint16(p + 10, true)
    records.push({ name, flags, method, crc: view.getUint32(p + 16, true), compressed, size, local, dataStart, at: p, length })
    p += length
  }
  if (p !== end) return E.left(invalidZip(null, `the central directory has ${end - p} bytes after its ${count} entries`))
  return E.right(records)
}

/** Left when two records share a name, or two entries' bytes overlap (one entry's data read as another's). */
const checkDisjoint = (records: ReadonlyArray<ZipRecord>): E.Either<ZipError, void> => {
  const names = new Set<string>()
  for (const r of records) {
    if (names.has(r.name)) return E.left(invalidZip(r.name, `entry name '${r.name}' is repeated`))
    names.add(r.name)
  }
  const byOffset = [...records].sort((a, b) => a.local - b.local)
  for (let i = 1; i < byOffset.length; i++) {
    const [a, b] = [byOffset[i - 1] as ZipRecord, byOffset[i] as ZipRecord]
    if (a.dataStart + a.compressed > b.local) return E.left(invalidZip(b.name, `entries '${a.name}' and '${b.name}' overlap`))
  }
  return E.right(undefined)
}

/**
 * The archive's central directory, checked against the bytes: every record inside the directory, every entry's
 * header and data before it, no two entries overlapping or sharing a name. Inflates nothing.
 */
export const openZip = (bytes: Uint8Array): E.Either<ZipError, ZipArchive> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = bytes.length < 22 ? -1 : findEnd(view)
  if (end < 0) return E.left(invalidZip(null, 'no end-of-central-directory record (not a zip archive)'))
  const count = view.getUint16(end + 10, true)
  const size = view.getUint32(end + 12, true)
  const start = view.getUint32(end + 16, true)
  if (count === 0xffff || start === MAX32 || size === MAX32) return E.left(invalidZip(null, 'zip64 archives are not supported'))
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0 || view.getUint16(end + 8, true) !== count)
    return E.left(invalidZip(null, 'split (multi-disk) archives are not supported'))
  if (start + size > end)
    return E.left(invalidZip(null, `the central directory (offset ${start}, ${size} bytes) runs past its end record at ${end}`))
  if (count * 46 > size) return E.left(invalidZip(null, `${count} entries cannot fit in a central directory of ${size} bytes`))
  const records = readRecords(bytes, view, count, start, size)
  if (E.isLeft(records)) return records
  const disjoint = checkDisjoint(records.right)
  if (E.isLeft(disjoint)) return disjoint
  return E.right({ bytes, records: records.right, centralStart: start })
}

const limitExceeded = (
  r: ZipRecord,
  field: 'uncompressed size' | 'compression ratio',
  value: number,
  limit: number,
  why: string,
): ZipError => ({
  _tag: 'ZipLimitExceeded',
  entry: r.name,
  field,
  value,
  limit,
  message: `entry '${r.name}': ${why}`,
})

/** Left when `r` is over a limit; checked on the directory's word, before a byte is inflated. */
const checkLimits = (r: ZipRecord, limit: number): E.Either<ZipError, void> => {
  if (r.size > limit)
    return E.left(
      limitExceeded(r, 'uncompressed size', r.size, limit, `it declares ${r.size} bytes uncompressed; ckpt reads at most ${limit} here`),
    )
  if (r.method === 8 && r.size > ZIP_RATIO_FLOOR_BYTES && r.size > MAX_ZIP_RATIO * r.compressed) {
    const ratio = r.compressed === 0 ? Infinity : r.size / r.compressed
    const why = `it declares ${r.size} bytes from ${r.compressed} stored (${Math.round(ratio)}:1); ckpt inflates entries over ${ZIP_RATIO_FLOOR_BYTES} bytes at most ${MAX_ZIP_RATIO}:1 (a zip bomb otherwise)`
    return E.left(limitExceeded(r, 'compression ratio', ratio, MAX_ZIP_RATIO, why))
  }
  return E.right(undefined)
}

/** The data of `r`, exactly its declared size and CRC-32, or Left saying how it differs. */
const entryData = async (bytes: Uint8Array, r: ZipRecord, limit: number): Promise<E.Either<ZipError, Uint8Array>> => {
  const bad = (message: string): E.Either<ZipError, Uint8Array> => E.left(invalidZip(r.name, `entry '${r.name}': ${message}`))
  if (r.flags & 1) return bad('it is encrypted')
  const limits = checkLimits(r, limit)
  if (E.isLeft(limits)) return limits
  const raw = bytes.subarray(r.dataStart, r.dataStart + r.compressed)
  let data: Uint8Array
  if (r.method === 0) {
    if (r.compressed !== r.size) return bad(`it is stored, yet declares ${r.compressed} bytes stored and ${r.size} uncompressed`)
    data = raw // a view: the archive's bytes are not copied
  } else if (r.method === 8) {
    const inflated = await inflateRaw(raw, r.size)
    if (inflated._tag === 'TooLong') return bad(`it inflates to more than the ${r.size} bytes it declares`)
    if (inflated._tag === 'Corrupt') return bad(`its DEFLATE data is corrupt (${inflated.reason})`)
    data = inflated.data
    if (data.length !== r.size) return bad(`it inflates to ${data.length} bytes; it declares ${r.size}`)
  } else return bad(`it uses compression method ${r.method}; only 0 (store) and 8 (deflate) are supported`)
  const crc = crc32(data)
  if (crc !== r.crc) return bad(`CRC-32 mismatch (the data's is ${crc}, the directory declares ${r.crc})`)
  return E.right(data)
}

/**
 * The data of the entry called `name`, or null without one. Inflates only that entry, at most `limit` bytes
 * (and never more than {@link MAX_ZIP_ENTRY_BYTES}); Left when it is over a limit, or its data does not have
 * exactly the size and CRC-32 its directory record declares.
 */
export const readEntry = async (
  archive: ZipArchive,
  name: string,
  limit = MAX_ZIP_ENTRY_BYTES,
): Promise<E.Either<ZipError, Uint8Array | null>> => {
  const r = archive.records.find((c) => c.name === name)
  return r === undefined ? E.right(null) : entryData(archive.bytes, r, Math.min(limit, MAX_ZIP_ENTRY_BYTES))
}

/** {@link readEntry} on `bytes` opened: reads only the directory and that entry. */
export const readZipEntry = async (bytes: Uint8Array, name: string, limit: number): Promise<E.Either<ZipError, Uint8Array | null>> => {
  const archive = openZip(bytes)
  return E.isLeft(archive) ? archive : readEntry(archive.right, name, limit)
}

/** One named file inside a zip archive. */
export interface ZipEntry {
  readonly name: string
  readonly data: Uint8Array
}

/**
 * Every entry of an archive, in central-directory order, each read by {@link readEntry} (so under its limits).
 * For archives whose every entry is wanted; a reader wanting some entries opens the archive and reads those.
 */
export const decodeZip = async (bytes: Uint8Array): Promise<E.Either<ZipError, ReadonlyArray<ZipEntry>>> => {
  const archive = openZip(bytes)
  if (E.isLeft(archive)) return archive
  const out: ZipEntry[] = []
  for (const r of archive.right.records) {
    const data = await entryData(bytes, r, MAX_ZIP_ENTRY_BYTES)
    if (E.isLeft(data)) return data
    out.push({ name: r.name, data: data.right })
  }
  return E.right(out)
}
