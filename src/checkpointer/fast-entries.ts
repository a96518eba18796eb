import { blockCount, MAX_BLOCK_BYTES, MAX_BLOCKS, MIN_BLOCK_BYTES } from './blocks.js'
import { isFileKey } from './index-keys.js'

/*
 * Index entries checked and encoded by hand, with exactly the rules of `EntryCodec` (index-file.ts): io-ts takes
 * about 5 µs an entry, which is most of opening an index of 100,000. On a failure the caller runs io-ts over the
 * same values for its error message (index-schema.ts, loaded then only), so the messages stay io-ts's.
 */

const SHA256 = /^sha256:[0-9a-f]{64}$/

type Json = Record<string, unknown>

export const isRecord = (u: unknown): u is Json => typeof u === 'object' && u !== null && !Array.isArray(u)

export const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** `JsonNumber`: a number, or NaN and the infinities as the strings JSON needs; undefined for anything else. */
const jsonNumber = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : undefined

export const isSha256 = (v: unknown): v is string => typeof v === 'string' && SHA256.test(v)

/**
 * The rules across a file record's fields: a whole-file SHA-256 or blocks, not both; blocks within their bounds, at
 * most `MAX_BLOCKS` of them (the block list is read whole).
 */
export const isValidRecord = (r: { readonly size: number; readonly sha256?: unknown; readonly blocks?: unknown }): boolean => {
  if (r.blocks === undefined) return r.sha256 !== undefined
  if (r.sha256 !== undefined || !isRecord(r.blocks)) return false
  const size = r.blocks.size
  return (
    isNonNegativeInt(size) &&
    size >= MIN_BLOCK_BYTES &&
    size <= MAX_BLOCK_BYTES &&
    isSha256(r.blocks.sha256) &&
    blockCount(r.size, size) <= MAX_BLOCKS
  )
}

const isFileRecord = (u: unknown): boolean =>
  isRecord(u) && isFileKey(u.key) && isNonNegativeInt(u.size) && (u.blocks !== undefined || isSha256(u.sha256)) && isValidRecord(u as never)

/** The metrics with their JSON strings ("NaN", …) as numbers: the same object when there is none; null when invalid. */
const decodeMetrics = (u: unknown): Json | null => {
  if (!isRecord(u)) return null
  let out: Json | null = null
  for (const k of Object.keys(u)) {
    const v = u[k]
    const n = jsonNumber(v)
    if (n === undefined) return null
    if (n !== v) (out ??= { ...u })[k] = n
  }
  return out ?? u
}

/** One entry as `EntryCodec.decode` gives it (the same object when nothing is converted), or null where it fails. */
const checkEntry = (u: unknown): unknown => {
  if (!isRecord(u)) return null
  if (typeof u.path !== 'string' || typeof u.format !== 'string' || typeof u.time !== 'number') return null
  if (!isNonNegativeInt(u.epoch) || !isNonNegativeInt(u.step) || (u.batch !== null && !isNonNegativeInt(u.batch))) return null
  if (!Array.isArray(u.files) || !u.files.every(isFileRecord)) return null
  const metrics = decodeMetrics(u.metrics)
  if (metrics === null) return null
  const score = u.score === null ? null : jsonNumber(u.score)
  if (score === undefined) return null
  return metrics === u.metrics && score === u.score ? u : { ...u, metrics, score }
}

/** Every entry of `list` decoded, or the position of the first that fails (then io-ts says why). */
export const checkEntries = (list: ReadonlyArray<unknown>): ReadonlyArray<unknown> | number => {
  let out: unknown[] | null = null
  for (let i = 0; i < list.length; i++) {
    const e = checkEntry(list[i])
    if (e === null) return i
    if (e !== list[i]) (out ??= list.slice())[i] = e
  }
  return out ?? list
}

const jsonFinite = (n: number): number | string => (Number.isFinite(n) ? n : String(n))

/** An entry as JSON values, as `EntryCodec.encode` gives it: NaN and the infinities as strings. */
export const encodeEntry = <E extends { readonly metrics: Readonly<Record<string, number>>; readonly score: number | null }>(
  e: E,
): E | Json => {
  let metrics: Json | null = null
  for (const k of Object.keys(e.metrics)) {
    const v = e.metrics[k]!
    if (!Number.isFinite(v)) (metrics ??= { ...e.metrics })[k] = String(v)
  }
  const score = e.score === null ? null : jsonFinite(e.score)
  return metrics === null && score === e.score ? e : { ...e, metrics: metrics ?? e.metrics, score }
}
