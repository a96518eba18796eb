import * as E from '#fp-ts/Either.js'
import { invalidKey, type StorageError } from './errors.js'

/** Longest key, in UTF-8 bytes (S3's limit). */
export const MAX_KEY_BYTES = 1024
/** Longest segment between slashes, in UTF-8 bytes (common file-system limit). */
export const MAX_SEGMENT_BYTES = 255
/**
 * Segments starting with this are reserved for the adapters' own files (fs temp files, the S3 probe).
 * `validateKey` refuses them and `list` never shows them.
 */
export const RESERVED_PREFIX = '.ckpt~'

const RULES =
  "keys are '/'-separated relative paths of non-empty segments other than '.' and '..', " +
  'of well-formed Unicode without backslash, NUL or other control characters (U+0000-U+001F, U+007F), ' +
  `at most ${MAX_SEGMENT_BYTES} bytes a segment and ${MAX_KEY_BYTES} bytes in all, ` +
  `no segment starting with '${RESERVED_PREFIX}'`

/** A UTF-16 surrogate without its partner: not Unicode, and fs and S3 each turn it into something else. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
/** C0 controls and DEL: S3 cannot carry them in XML, fs names with them break listings and terminals. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** The first Unicode rule `s` breaks (a lone surrogate, a control character), or null. */
const unicodeProblem = (s: string): string | null => {
  if (LONE_SURROGATE.test(s)) return 'contains a lone surrogate (not well-formed Unicode)'
  const control = CONTROL.exec(s)
  if (control !== null) return `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
  return null
}

/** The length of `s` in UTF-8 (a lone surrogate counts 3 bytes, as U+FFFD). */
const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

const isSurrogate = (c: number): boolean => (c & 0xf800) === 0xd800

const shown = (key: unknown): string =>
  typeof key === 'string' ? JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key) : String(key)

/** The first rule `segment` breaks, or null. */
const segmentProblem = (segment: string): string | null => {
  if (segment === '') return 'has an empty segment (leading, trailing or double slash)'
  if (segment === '.' || segment === '..') return `has a '${segment}' segment (no path traversal)`
  if (utf8Length(segment) > MAX_SEGMENT_BYTES) return `has a segment of ${utf8Length(segment)} bytes (at most ${MAX_SEGMENT_BYTES})`
  if (segment.startsWith(RESERVED_PREFIX)) return `has a segment starting with the reserved '${RESERVED_PREFIX}'`
  return null
}

/** The first rule `key` breaks, or null when it is a valid key. */
export const keyProblem = (key: unknown): string | null => {
  if (typeof key !== 'string') return `is a ${typeof key}, not a string`
  if (key === '') return 'is empty'
  if (key.includes('\0')) return 'contains NUL'
  if (key.includes('\\')) return 'contains a backslash'
  const unicode = unicodeProblem(key)
  if (unicode !== null) return unicode
  if (key.startsWith('/')) return 'is absolute (starts with /)'
  if (/^[A-Za-z]:/.test(key)) return 'starts with a drive letter'
  if (utf8Length(key) > MAX_KEY_BYTES) return `is ${utf8Length(key)} bytes long (at most ${MAX_KEY_BYTES})`
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment)
    if (problem !== null) return problem
  }
  return null
}

/**
 * Checks a storage key; every adapter calls this before touching anything.
 *
 * @example
 * validateKey('runs/1/epoch-003.safetensors') // right('runs/1/epoch-003.safetensors')
 * validateKey('../etc/passwd')                // left({ _tag: 'InvalidKey', ... "has a '..' segment" })
 */
export const validateKey = (key: string): E.Either<StorageError, string> => {
  const problem = keyProblem(key)
  return problem === null ? E.right(key) : E.left(invalidKey(String(key), `invalid storage key ${shown(key)}: it ${problem}; ${RULES}`))
}

/** A list prefix split into the folder part (a valid key or '') and the partial last segment. */
export interface ParsedPrefix {
  readonly prefix: string
  readonly folder: string
  readonly partial: string
}

/**
 * Checks a `list` prefix: any string that starts some valid key. Its part up to the last '/' must be a
 * valid key (or empty); the rest is a plain string filter.
 */
export const validatePrefix = (prefix: string | undefined): E.Either<StorageError, ParsedPrefix> => {
  const p = prefix ?? ''
  if (typeof p !== 'string') return E.left(invalidKey(String(p), `invalid list prefix ${shown(p)}: it is a ${typeof p}, not a string`))
  const cut = p.lastIndexOf('/')
  const folder = cut < 0 ? '' : p.slice(0, cut)
  const partial = cut < 0 ? p : p.slice(cut + 1)
  const problem =
    (folder === '' && cut >= 0 ? 'is absolute (starts with /)' : null) ??
    (folder === '' ? null : keyProblem(folder)) ??
    (partial.includes('\0') || partial.includes('\\') ? 'contains NUL or a backslash' : null) ??
    // a prefix may end inside a surrogate pair: only its high half is then the last unit
    unicodeProblem(partial.replace(/[\ud800-\udbff]$/, '')) ??
    (utf8Length(p) > MAX_KEY_BYTES ? `is longer than ${MAX_KEY_BYTES} bytes` : null)
  return problem === null
    ? E.right({ prefix: p, folder, partial })
    : E.left(invalidKey(p, `invalid list prefix ${shown(p)}: it ${problem}; a prefix is the start of a key, and ${RULES}`))
}

/** True when any segment of a stored name is reserved (adapters' own files): such names are never listed. */
export const isReservedName = (name: string): boolean => name.split('/').some((s) => s.startsWith(RESERVED_PREFIX))

/**
 * Orders keys by their UTF-8 bytes, as S3 lists them: code point order, without encoding them. UTF-16 units order
 * the same way except that a surrogate (half of a code point above U+FFFF) must sort after every other unit.
 */
export const compareKeys = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const sx = isSurrogate(x)
    if (sx !== isSurrogate(y)) return sx ? 1 : -1
    return x < y ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}
