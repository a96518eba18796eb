import { utf8OrNull } from '#platform/bytes.js'
import * as E from '#fp-ts/Either.js'
import { MAX_SEQ, SEGMENT_KEY } from './index-keys.js'
import type { CheckpointError } from './errors.js'
import { JSON_DEPTH, jsonDepth } from '../json/bounded-json.js'
import { checkEntries, encodeEntry, isNonNegativeInt, isRecord, isSha256 } from './fast-entries.js'

import { INDEX_KEY } from './index-keys.js'
export { INDEX_KEY, SEGMENT_PREFIX, SEGMENT_KEY, segmentSeq, isFileKey } from './index-keys.js'
export const INDEX_FORMAT = 'ckpt-index'
/**
 * The version this ckpt writes: 3, the index file plus segments, with file records checked by blocks. It reads 2
 * (the same, every record with a whole-file SHA-256) and 1 (everything in the index file) too.
 */
export const INDEX_VERSION = 3

/**
 * A checkpoint file: checked whole (its SHA-256), or block by block (the block size and the SHA-256 of its block
 * list, docs/format.md).
 */
export type FileRecord =
  | { readonly key: string; readonly size: number; readonly sha256: string }
  | { readonly key: string; readonly size: number; readonly blocks: { readonly size: number; readonly sha256: string } }

/** A file record checked block by block. */
export type BlockRecord = Extract<FileRecord, { readonly blocks: unknown }>
export const isBlockRecord = (r: FileRecord): r is BlockRecord => 'blocks' in r

/** One checkpoint of the index. The schema (io-ts, `EntryCodec`) is in index-schema.ts; fast-entries.ts checks it by hand. */
export type Entry = {
  /** The artifact's path, as the template rendered it. */
  readonly path: string
  /** The serializer that wrote it, e.g. `safetensors`, `tfjs-layers`. */
  readonly format: string
  /** 0-based epoch of the event that saved it. */
  readonly epoch: number
  /** Global batch count at the save (batches seen since training began). */
  readonly step: number
  /** 0-based batch index for batch-level saves, else null. */
  readonly batch: number | null
  readonly metrics: Readonly<Record<string, number>>
  /** The monitored value used for ranking, null when absent. */
  readonly score: number | null
  /** Wall time of the commit, ms since the Unix epoch. */
  readonly time: number
  readonly files: ReadonlyArray<FileRecord>
  /** The policy's state right after this save: resuming from this checkpoint continues from it. */
  readonly policyState: unknown
  /** Marks the `last` checkpoint of `saveLast`; absent on every other. */
  readonly last?: true
}

/** How `best` is chosen: the monitored metric and its direction. */
export type IndexRanking = { readonly monitor: string; readonly mode: 'min' | 'max' }

/** A segment the index file names: its key, size and SHA-256. */
export type SegmentRef = {
  readonly key: string
  readonly size: number
  readonly sha256: string
  /** Its place in the merge schedule: segments of one level merge into one of the next (docs/format.md). */
  readonly level: number
}

/** The logical index, as readers use it: every live checkpoint, whatever file holds it. */
export interface IndexDoc {
  readonly format: typeof INDEX_FORMAT
  /** The version of the index file it was read from (1 to 3), or the version a writer writes. */
  readonly version: 1 | 2 | typeof INDEX_VERSION
  /** Live checkpoints, in commit order (the last is the latest). */
  readonly checkpoints: ReadonlyArray<Entry>
  /** Entries being overwritten in place: restored on open if their files still verify. */
  readonly replacing: ReadonlyArray<Entry>
  /** Entries retention dropped whose files may still exist: deleted on open. */
  readonly removing: ReadonlyArray<Entry>
  /** The policy's state at the latest commit. */
  readonly policyState: unknown
  /** The writer's monitor and mode, so that readers without the options (restoreBest, the CLI) can rank. */
  readonly ranking?: IndexRanking
}

/**
 * The index file itself (`ckpt-index.json`). In version 2 its `checkpoints` are only the live checkpoints not in a
 * segment (the journal of the latest saves); the full list is the segments' (in order, less `dropped`) followed by
 * them. A version-1 file reads as one with no segment.
 */
export interface IndexHead extends IndexDoc {
  /** Index writes so far; a segment's key carries the one that first named it. */
  readonly seq: number
  /** Segments, oldest first. */
  readonly segments: ReadonlyArray<SegmentRef>
  /** Paths whose entry in a segment is no longer live (dropped, or replaced by a newer entry in `checkpoints`). */
  readonly dropped: ReadonlyArray<string>
}

export const emptyIndex = (policyState: unknown): IndexDoc => ({
  format: INDEX_FORMAT,
  version: INDEX_VERSION,
  checkpoints: [],
  replacing: [],
  removing: [],
  policyState,
})

/**
 * Deepest nesting of objects and arrays an index may have. A written index nests 5 levels plus its policy
 * states (a few more); deeper is corrupt, refused before parsing so nothing recurses over it (io-ts, error
 * messages, and the `JSON.stringify` of every later save).
 */
export const MAX_INDEX_DEPTH = JSON_DEPTH.record

/** Longest rendering of one offending value. */
const MAX_VALUE_CHARS = 120

/** A short description of a decoded JSON value: primitives as JSON (truncated), containers by their size only. */
export const preview = (value: unknown): string => {
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value)
    const shown = keys.slice(0, 5).map((k) => (k.length > 40 ? JSON.stringify(`${k.slice(0, 40)}…`) : JSON.stringify(k)))
    return `an object with key${keys.length === 1 ? '' : 's'} ${shown.join(', ')}${keys.length > 5 ? `, … (${keys.length} in all)` : ''}`
  }
  const text =
    typeof value === 'string'
      ? JSON.stringify(value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value)
      : String(value)
  return text.length > MAX_VALUE_CHARS + 20 ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text
}

/** Policy states are free JSON: bounded in depth by what nests above them in the index (root, list, entry). */
export const MAX_POLICY_STATE_DEPTH = MAX_INDEX_DEPTH - 3

/** UTF-8 bytes as text, or null when they are not valid UTF-8. */
export const utf8Text = (bytes: Uint8Array): string | null => {
  const text = utf8OrNull(bytes)
  // A leading byte order mark (an index saved by an editor) is dropped, as TextDecoder did before version 2.
  return text !== null && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** JSON that the hand check refused: io-ts decides whether it is valid, and words why not (index-schema.ts). */
export interface Unchecked {
  readonly _tag: 'Unchecked'
  readonly json: unknown
}
export const unchecked = (json: unknown): Unchecked => ({ _tag: 'Unchecked', json })
export const isUnchecked = (u: object): u is Unchecked => '_tag' in u && u._tag === 'Unchecked'

export const corruptIndex = (key: string, message: string): CheckpointError => ({
  _tag: 'CorruptIndex',
  key,
  message: `index "${key}" ${message}`,
})

/** The index file's schema error, with io-ts's description of it. */
export const schemaError = (key: string, errors: string): CheckpointError =>
  corruptIndex(key, `does not match the index schema (${errors}); it was left untouched`)

/** The index file's JSON: valid UTF-8, not too deep, and not of a future version (checked before its schema). */
const parseIndex = (bytes: Uint8Array, key: string): E.Either<CheckpointError, unknown> => {
  let json: unknown
  try {
    const text = utf8Text(bytes)
    if (text === null) throw new Error('invalid UTF-8')
    if (jsonDepth(text, MAX_INDEX_DEPTH) > MAX_INDEX_DEPTH)
      return E.left(corruptIndex(key, `nests objects and arrays more than ${MAX_INDEX_DEPTH} deep (the limit); it was left untouched`))
    json = JSON.parse(text)
  } catch (e) {
    return E.left(corruptIndex(key, `is not valid UTF-8 JSON (${(e as Error).message}); it was left untouched`))
  }
  if (typeof json === 'object' && json !== null && 'version' in json) {
    const version = json.version
    if (typeof version === 'number' && version > INDEX_VERSION)
      return E.left(
        corruptIndex(
          key,
          `has format version ${version}, but this ckpt reads versions 1 to ${INDEX_VERSION}: upgrade ckpt to read it; it was left untouched`,
        ),
      )
  }
  return E.right(json)
}

/** The head of an index file whose fields other than the entry lists passed the schema: a segment named twice, or null. */
export const segmentNamedTwice = (
  head: { readonly version: number; readonly segments?: ReadonlyArray<{ readonly key: string }> },
  key: string,
): CheckpointError | null => {
  // ckpt names each segment once; a key named again would be read, decoded and held again, as often as it is named.
  if (head.version === 1 || head.segments === undefined) return null
  const seen = new Set<string>()
  for (const { key: k } of head.segments) {
    if (seen.has(k)) return corruptIndex(key, `names the segment "${k}" more than once; it was left untouched`)
    seen.add(k)
  }
  return null
}

/** The entry lists of an index file, checked apart from its other fields (fast-entries.ts). */
export const ENTRY_LISTS = ['checkpoints', 'replacing', 'removing'] as const
export type EntryLists = Record<(typeof ENTRY_LISTS)[number], ReadonlyArray<Entry>>

/** The fields of an index file other than its entry lists, as its schema checked them. */
export type IndexShell = Omit<IndexDoc, keyof EntryLists> & Partial<Pick<IndexHead, 'seq' | 'segments' | 'dropped'>>

/** The head of an index file from its checked fields and entry lists; a version-1 file reads as one with no segment. */
export const indexHead = (shell: IndexShell, lists: EntryLists): IndexHead =>
  shell.version === 1 ? { ...shell, seq: 0, segments: [], dropped: [], ...lists } : ({ ...shell, ...lists } as IndexHead)

const isSegmentRef = (u: unknown): boolean =>
  isRecord(u) &&
  typeof u.key === 'string' &&
  SEGMENT_KEY.test(u.key) &&
  isNonNegativeInt(u.size) &&
  isSha256(u.sha256) &&
  isNonNegativeInt(u.level)

/**
 * The fields of an index file other than its entry lists, checked by hand with exactly the rules of its io-ts schema
 * (index-schema.ts, the shells of versions 1 and 2): io-ts itself is loaded only when this check fails, to say why.
 */
const isShell = (u: unknown): u is IndexShell & Record<keyof EntryLists, ReadonlyArray<unknown>> => {
  if (!isRecord(u) || u.format !== INDEX_FORMAT) return false
  if (!Array.isArray(u.checkpoints) || !Array.isArray(u.replacing) || !Array.isArray(u.removing)) return false
  const r = u.ranking
  if (r !== undefined && !(isRecord(r) && typeof r.monitor === 'string' && (r.mode === 'min' || r.mode === 'max'))) return false
  if (u.version === 1) return true
  if (u.version !== 2 && u.version !== INDEX_VERSION) return false
  if (!isNonNegativeInt(u.seq) || u.seq > MAX_SEQ) return false
  return (
    Array.isArray(u.segments) && u.segments.every(isSegmentRef) && Array.isArray(u.dropped) && u.dropped.every((d) => typeof d === 'string')
  )
}

/**
 * Parses and checks the bytes of the index file, version 1 to 3, by hand (an index of 100,000 entries opens in
 * the time JSON.parse takes). A future format version is its own clear error. Where the schema check fails, the
 * parsed JSON comes back `Unchecked`: `decodeIndex` (index-schema.ts) then runs io-ts over it, which decides and
 * words the error.
 */
export const checkIndex = (bytes: Uint8Array, key = INDEX_KEY): E.Either<CheckpointError, IndexHead> | Unchecked => {
  const parsed = parseIndex(bytes, key)
  if (E.isLeft(parsed)) return parsed
  const json = parsed.right
  if (!isShell(json)) return unchecked(json)
  const twice = segmentNamedTwice(json, key)
  if (twice !== null) return E.left(twice)
  const lists: EntryLists = { checkpoints: [], replacing: [], removing: [] }
  for (const field of ENTRY_LISTS) {
    const checked = checkEntries(json[field])
    if (typeof checked === 'number') return unchecked(json)
    lists[field] = checked as ReadonlyArray<Entry>
  }
  // io-ts's decode gives every field of the shell, the policy state too (undefined when absent).
  return E.right(indexHead({ ...json, policyState: json.policyState }, lists))
}

/**
 * The bytes of an index file (version 2). A doc without segments (a logical index) is written with every
 * checkpoint in the file itself.
 */
export const encodeIndex = (doc: IndexDoc | IndexHead): Uint8Array => {
  const head = doc as Partial<IndexHead>
  const out = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    seq: head.seq ?? 0,
    segments: head.segments ?? [],
    dropped: head.dropped ?? [],
    checkpoints: doc.checkpoints.map(encodeEntry),
    replacing: doc.replacing.map(encodeEntry),
    removing: doc.removing.map(encodeEntry),
    policyState: doc.policyState,
    ...(doc.ranking !== undefined ? { ranking: doc.ranking } : {}),
  }
  return new TextEncoder().encode(`${JSON.stringify(out, null, 1)}\n`)
}
