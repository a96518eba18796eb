/*
 * POSIX tar headers (pax interchange format: ustar blocks, plus a pax extended header for what ustar cannot hold),
 * as Python's `tarfile`, GNU tar and bsdtar read them. Pure: no I/O, no Node built-in.
 */
import * as E from '#fp-ts/Either.js'
import { invalidArchive, type InvalidArchive } from './archive-errors.js'

/** Tar's unit: every header and every member's data (padded) is a whole number of 512-byte blocks. */
export const TAR_BLOCK = 512

/** Largest size ustar's 11 octal digits hold (8 GiB less a byte); a larger member's size goes in a pax header. */
export const USTAR_MAX_SIZE = 8 ** 11 - 1

/** Longest pax extended header ckpt reads: a name (at most 1,024 bytes) and a size need a few hundred. */
export const MAX_PAX_BYTES = 64 * 1024

/** The name the pax extended header member carries, as Python's `tarfile` writes it. */
const PAX_NAME = '././@PaxHeader'

const encoder = new TextEncoder()

/** The bytes `n` takes padded to whole blocks. */
export const padded = (n: number): number => Math.ceil(n / TAR_BLOCK) * TAR_BLOCK

/** `n` in `width - 1` octal digits and a NUL. */
const octal = (n: number, width: number): string => `${n.toString(8).padStart(width - 1, '0')}\0`

const put = (block: Uint8Array, at: number, width: number, text: string): void => {
  const bytes = encoder.encode(text)
  block.set(bytes.subarray(0, width), at)
}

/** One ustar header block. `name` must be ASCII of at most 100 bytes (the caller puts longer names in pax). */
const ustarBlock = (name: string, size: number, mtime: number, typeflag: string): Uint8Array => {
  const block = new Uint8Array(TAR_BLOCK)
  put(block, 0, 100, name)
  put(block, 100, 8, octal(0o644, 8))
  put(block, 108, 8, octal(0, 8))
  put(block, 116, 8, octal(0, 8))
  put(block, 124, 12, octal(size, 12))
  put(block, 136, 12, octal(mtime, 12))
  put(block, 148, 8, '        ')
  put(block, 156, 1, typeflag)
  put(block, 257, 8, 'ustar\u000000')
  let sum = 0
  for (const b of block) sum += b
  put(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return block
}

/** One pax record, `"<length> <key>=<value>\n"`, its length counting itself. */
const paxRecord = (key: string, value: string): string => {
  const rest = encoder.encode(` ${key}=${value}\n`).byteLength
  let length = rest + 1
  while (String(length).length + rest !== length) length = String(length).length + rest
  return `${length} ${key}=${value}\n`
}

/** Whether `name` fits ustar's name field as it is: printable ASCII, at most 100 bytes. */
const fitsUstar = (name: string): boolean => name.length <= 100 && /^[\x20-\x7e]*$/.test(name)

/** A stand-in for readers without pax: ASCII, the last 100 characters. */
const fallbackName = (name: string): string => name.replace(/[^\x20-\x7e]/g, '_').slice(-100)

/**
 * The header blocks of a regular file member: one ustar block, preceded by a pax extended header when the name is
 * not short ASCII or the size passes 8 GiB. `mtime` is in seconds.
 */
export const memberHeader = (name: string, size: number, mtime: number): Uint8Array => {
  const pax = (fitsUstar(name) ? '' : paxRecord('path', name)) + (size > USTAR_MAX_SIZE ? paxRecord('size', String(size)) : '')
  const time = Math.max(0, Math.min(8 ** 11 - 1, Math.floor(mtime)))
  const ustar = ustarBlock(fitsUstar(name) ? name : fallbackName(name), size > USTAR_MAX_SIZE ? 0 : size, time, '0')
  if (pax === '') return ustar
  const records = encoder.encode(pax)
  const out = new Uint8Array(TAR_BLOCK + padded(records.byteLength) + TAR_BLOCK)
  out.set(ustarBlock(PAX_NAME, records.byteLength, time, 'x'), 0)
  out.set(records, TAR_BLOCK)
  out.set(ustar, out.byteLength - TAR_BLOCK)
  return out
}

/** The end of an archive: two zero blocks. */
export const endOfArchive = (): Uint8Array => new Uint8Array(2 * TAR_BLOCK)

/** One header block, decoded. */
export interface RawHeader {
  readonly name: string
  readonly size: number
  readonly typeflag: string
}

const isZero = (block: Uint8Array): boolean => block.every((b) => b === 0)

const text = (block: Uint8Array, at: number, width: number): string => {
  const field = block.subarray(at, at + width)
  const end = field.indexOf(0)
  return new TextDecoder('utf-8', { fatal: false }).decode(end < 0 ? field : field.subarray(0, end))
}

/** A numeric field: octal digits (space or NUL padded), or GNU's base-256 (first byte 0x80); null when neither. */
const numeric = (block: Uint8Array, at: number, width: number): number | null => {
  const field = block.subarray(at, at + width)
  if (field[0] === 0x80) {
    let n = 0
    for (const b of field.subarray(1)) n = n * 256 + b
    return Number.isSafeInteger(n) ? n : null
  }
  const digits = String.fromCharCode(...field)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '')
  if (digits === '') return 0
  if (!/^[0-7]+$/.test(digits)) return null
  const n = parseInt(digits, 8)
  return Number.isSafeInteger(n) ? n : null
}

/**
 * A header block: `null` for a zero block (the end of the archive), or its name, size and type. Its checksum, magic
 * and numeric fields are checked. `offset` is where it starts in the archive, for errors.
 */
export const decodeHeader = (block: Uint8Array, offset: number): E.Either<InvalidArchive, RawHeader | null> => {
  if (isZero(block)) return E.right(null)
  const recorded = numeric(block, 148, 8)
  let sum = 0
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
  if (recorded !== sum)
    return E.left(invalidArchive('header checksum', recorded ?? text(block, 148, 8), `${sum}, the sum of the header's bytes`, offset))
  const magic = text(block, 257, 6)
  if (magic !== 'ustar' && magic !== 'ustar ') return E.left(invalidArchive('header magic', magic, '"ustar" (a POSIX tar archive)', offset))
  const size = numeric(block, 124, 12)
  if (size === null) return E.left(invalidArchive('member size', text(block, 124, 12), 'octal digits, or base-256', offset))
  const prefix = text(block, 345, 155)
  const name = text(block, 0, 100)
  return E.right({ name: prefix === '' ? name : `${prefix}/${name}`, size, typeflag: String.fromCharCode(block[156]!) })
}

/**
 * The records of a pax extended header (`"<length> <key>=<value>\n"` each, UTF-8), as a map; the `offset` is the
 * header's, for errors.
 */
export const decodePax = (bytes: Uint8Array, offset: number): E.Either<InvalidArchive, ReadonlyMap<string, string>> => {
  const out = new Map<string, string>()
  const bad = (why: string) =>
    E.left(invalidArchive('pax header', `${bytes.byteLength} bytes`, 'records "<length> <key>=<value>\\n" in UTF-8', offset, why))
  let at = 0
  while (at < bytes.byteLength) {
    if (bytes[at] === 0) break // padding after the last record
    const space = bytes.indexOf(0x20, at)
    if (space < 0 || space - at > 8) return bad(`no record length at byte ${at} of the header`)
    const lengthText = String.fromCharCode(...bytes.subarray(at, space))
    if (!/^[1-9][0-9]*$/.test(lengthText)) return bad(`record length ${JSON.stringify(lengthText)}`)
    const end = at + Number(lengthText)
    if (end > bytes.byteLength || bytes[end - 1] !== 0x0a)
      return bad(`a record of ${lengthText} bytes at byte ${at} does not end in a newline there`)
    let record: string
    try {
      record = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(space + 1, end - 1))
    } catch {
      return bad(`the record at byte ${at} is not UTF-8`)
    }
    const eq = record.indexOf('=')
    if (eq <= 0) return bad(`the record at byte ${at} has no key=value`)
    out.set(record.slice(0, eq), record.slice(eq + 1))
    at = end
  }
  return E.right(out)
}
