import { createSha256 } from '#platform/sha256.js'
import * as E from '#fp-ts/Either.js'
import { checkEntries, encodeEntry } from './fast-entries.js'
import { MAX_POLICY_STATE_DEPTH, preview, unchecked, utf8Text, type Entry, type SegmentRef, type Unchecked } from './index-file.js'
import { SEGMENT_PREFIX } from './index-keys.js'

/*
 * A segment: checkpoints compacted out of the index file, in an immutable object of their own under
 * `ckpt-index.d/`. It holds operations on the live list, applied in order after the older segments': first
 * `drops` (paths whose older entries are no longer live), then `checkpoints` (each replaces any older entry
 * with its path and goes last). docs/format.md has the layout and the merge schedule.
 */

export const SEGMENT_FORMAT = 'ckpt-index-segment'

/**
 * The layout ckpt writes: `SEGMENT_HEAD`, the drops, `SEGMENT_LIST` and a newline, the entries (one a line, joined by
 * `SEGMENT_SEPARATOR`), then `SEGMENT_END`. Readers accept any JSON of the same value; this layout reads fastest.
 */
export const SEGMENT_HEAD = `{"format":"${SEGMENT_FORMAT}","version":2,"drops":`
export const SEGMENT_LIST = ',"checkpoints":['
export const SEGMENT_SEPARATOR = ',\n'
export const SEGMENT_END = '\n]}\n'

/** A segment as read or written: its reference in the index file and its operations. */
export interface Segment {
  readonly ref: SegmentRef
  readonly drops: ReadonlyArray<string>
  readonly adds: ReadonlyArray<Entry>
}

/** Most entries and dropped paths the index file holds before they are compacted into a segment. */
export const JOURNAL_MAX = 16
/** Segments of one level that merge into one of the next level. */
export const FANOUT = 4

/**
 * The level a new segment of `count` operations starts at: 0 for a journal's (just over JOURNAL_MAX), else the
 * level whose merges would have made one that large (a version-1 index converted, a re-sort).
 */
export const levelFor = (count: number): number => {
  let level = 0
  for (let capacity = 2 * JOURNAL_MAX; capacity < count; capacity *= FANOUT) level++
  return level
}

const sha256Of = (bytes: Uint8Array): string => {
  const hash = createSha256()
  hash.update(bytes)
  return `sha256:${hash.hex()}`
}

const randomHex = (n: number): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('')

/** A new segment named for index write `seq`: one entry a line, so that a reader can follow it. */
export const makeSegment = (
  seq: number,
  drops: ReadonlyArray<string>,
  adds: ReadonlyArray<Entry>,
  level: number,
): Segment & { bytes: Uint8Array } => {
  const lines = adds.map((e) => JSON.stringify(encodeEntry(e)))
  const text = `${SEGMENT_HEAD}${JSON.stringify(drops)}${SEGMENT_LIST}\n${lines.join(SEGMENT_SEPARATOR)}${SEGMENT_END}`
  const bytes = new TextEncoder().encode(text)
  const key = `${SEGMENT_PREFIX}${seq}-${randomHex(4)}.json`
  return { ref: { key, size: bytes.length, sha256: sha256Of(bytes), level }, drops, adds, bytes }
}

/**
 * The operations of consecutive segments as one: the entries live at the end (in their order) and drops of the
 * paths they touched that end dead. Those drops matter only for older segments: `base` (nothing older) has none.
 */
export const mergeOps = (
  segments: ReadonlyArray<Pick<Segment, 'drops' | 'adds'>>,
  base: boolean,
): { readonly drops: ReadonlyArray<string>; readonly adds: ReadonlyArray<Entry> } => {
  const live = new Map<string, Entry>()
  const touched = new Set<string>()
  for (const s of segments) {
    for (const p of s.drops) {
      live.delete(p)
      touched.add(p)
    }
    for (const e of s.adds) {
      live.delete(e.path)
      live.set(e.path, e)
      touched.add(e.path)
    }
  }
  return { drops: base ? [] : [...touched].filter((p) => !live.has(p)), adds: [...live.values()] }
}

/**
 * Whether `value` nests objects and arrays more than `limit` deep; recursion goes at most `limit` deep. It runs over
 * every entry at open, so it allocates nothing (no `Object.values`).
 */
const deeperThan = (value: unknown, limit: number): boolean => {
  if (typeof value !== 'object' || value === null) return false
  if (limit === 0) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], limit - 1)) return true
    return false
  }
  for (const k in value) if (Object.hasOwn(value, k) && deeperThan((value as Record<string, unknown>)[k], limit - 1)) return true
  return false
}

/**
 * The first entry field nested deeper than a segment allows, as `[position, field]`, or null. Every field counts,
 * not only the policy state: a field the schema does not know is kept with the entry, and writing it again (a
 * merge, the CLI's JSON) would recurse as deep as it nests.
 */
export const tooDeep = (entries: ReadonlyArray<Entry>): readonly [number, string] | null => {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Record<string, unknown>
    for (const field in e) if (Object.hasOwn(e, field) && deeperThan(e[field], MAX_POLICY_STATE_DEPTH)) return [i, field]
  }
  return null
}

/** Why a segment's entry is too deep, worded to follow the segment's key. */
export const tooDeepMessage = ([i, field]: readonly [number, string]): string =>
  `has ${field === 'policyState' ? 'a policy state' : `a field ${preview(field)}`} nested more than ${MAX_POLICY_STATE_DEPTH} deep (checkpoints.${i}.${field})`

/** A segment of checked entries, or why not: one of its entries nests too deep. */
export const segmentOf = (ref: SegmentRef, drops: ReadonlyArray<string>, adds: ReadonlyArray<Entry>): E.Either<string, Segment> => {
  const deep = tooDeep(adds)
  return deep !== null ? E.left(tooDeepMessage(deep)) : E.right({ ref, drops, adds })
}

/**
 * Checks a segment's bytes against its reference (size, SHA-256) and decodes them, its entries checked by hand
 * (fast-entries.ts). Left is why not, worded to follow the segment's key; `Unchecked` where an entry fails the check
 * (`decodeSegment`, index-schema.ts, then runs io-ts over them, which decides and words the error). `JSON.parse`
 * copes with any depth and the checks here do not recurse, except over policy states, bounded as in the index file.
 */
export const checkSegment = (ref: SegmentRef, bytes: Uint8Array): E.Either<string, Segment> | Unchecked => {
  if (bytes.length !== ref.size)
    return E.left(`has ${bytes.length}${bytes.length > ref.size ? ' or more' : ''} bytes, not the ${ref.size} recorded`)
  if (sha256Of(bytes) !== ref.sha256) return E.left(`does not have the SHA-256 recorded (${ref.sha256})`)
  const text = utf8Text(bytes)
  if (text === null) return E.left('is not valid UTF-8')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(`is not valid JSON (${(e as Error).message})`)
  }
  const doc = json as { format?: unknown; version?: unknown; drops?: unknown; checkpoints?: unknown }
  if (typeof json !== 'object' || json === null || doc.format !== SEGMENT_FORMAT || doc.version !== 2)
    return E.left(`is not a version-2 index segment (got ${preview(json)})`)
  if (!Array.isArray(doc.drops) || !doc.drops.every((p) => typeof p === 'string'))
    return E.left(`has drops that are not a list of paths (got ${preview(doc.drops)})`)
  if (!Array.isArray(doc.checkpoints)) return E.left(`has checkpoints that are not a list (got ${preview(doc.checkpoints)})`)
  const adds = checkEntries(doc.checkpoints)
  if (typeof adds === 'number') return unchecked(json)
  return segmentOf(ref, doc.drops, adds as ReadonlyArray<Entry>)
}
