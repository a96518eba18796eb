import { utf8OrNull } from '#platform/bytes.js'
import * as t from '#io-ts'
import * as E from '#fp-ts/Either.js'
import { pipe } from '#fp-ts/function.js'
import { isFileKey, MAX_SEQ, SEGMENT_KEY } from './index-keys.js'
import type { CheckpointError } from './errors.js'
import { JSON_DEPTH, jsonDepth } from '../json/bounded-json.js'
import { checkEntries, encodeEntry, isValidRecord } from './fast-entries.js'
import { MAX_BLOCK_BYTES, MAX_BLOCKS, MIN_BLOCK_BYTES } from './blocks.js'

import { INDEX_KEY } from './index-keys.js'
export { INDEX_KEY, SEGMENT_PREFIX, SEGMENT_KEY, segmentSeq, isFileKey } from './index-keys.js'
export const INDEX_FORMAT = 'ckpt-index'
/**
 * The version this ckpt writes: 3, the index file plus segments, with file records checked by blocks. It reads 2
 * (the same, every record with a whole-file SHA-256) and 1 (everything in the index file) too.
 */
export const INDEX_VERSION = 3

/** JSON has no NaN or infinities; metrics store them as these strings. */
const JsonNumber = new t.Type<number, number | string, unknown>(
  'JsonNumber',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u === 'number') return t.success(u)
    if (u === 'NaN') return t.success(NaN)
    if (u === 'Infinity') return t.success(Infinity)
    if (u === '-Infinity') return t.success(-Infinity)
    return t.failure(u, c, 'a number, or "NaN", "Infinity", "-Infinity"')
  },
  (n) => (Number.isFinite(n) ? n : String(n)),
)

const NonNegativeInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeSafeInteger')

const FileKey = t.refinement(t.string, isFileKey, 'a valid storage key other than the index, its segments and the lock')

const Sha256Digest = t.refinement(t.string, (s) => /^sha256:[0-9a-f]{64}$/.test(s), 'Sha256Digest')

/** `codec`, or a field that is absent; errors keep the field's own path (a union would add its members' indexes). */
const orAbsent = <C extends t.Mixed>(codec: C) =>
  new t.Type<t.TypeOf<C> | undefined, t.OutputOf<C> | undefined, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? undefined : (codec.encode(a) as t.OutputOf<C>)),
  )

const BlocksCodec = t.readonly(
  t.type({
    size: t.refinement(
      NonNegativeInt,
      (n) => n >= MIN_BLOCK_BYTES && n <= MAX_BLOCK_BYTES,
      `a block size from ${MIN_BLOCK_BYTES} to ${MAX_BLOCK_BYTES} bytes`,
    ),
    sha256: Sha256Digest,
  }),
)

/**
 * A checkpoint file: checked whole (its SHA-256), or block by block (the block size and the SHA-256 of its block
 * list, docs/format.md).
 */
export type FileRecord =
  | { readonly key: string; readonly size: number; readonly sha256: string }
  | { readonly key: string; readonly size: number; readonly blocks: t.TypeOf<typeof BlocksCodec> }

const FileFields = t.type({ key: FileKey, size: NonNegativeInt, sha256: orAbsent(Sha256Digest), blocks: orAbsent(BlocksCodec) })

export const FileRecordCodec = new t.Type<FileRecord, FileRecord, unknown>(
  'FileRecord',
  (u): u is FileRecord => FileFields.is(u) && isValidRecord(u),
  (u, c) => {
    const fields = FileFields.validate(u, c)
    if (E.isLeft(fields)) return fields
    return isValidRecord(fields.right)
      ? t.success(u as FileRecord)
      : t.failure(
          u,
          c,
          `a file record { key, size, sha256 } or { key, size, blocks: { size, sha256 } } (not both), of at most ${MAX_BLOCKS} blocks`,
        )
  },
  t.identity,
)

export const EntryCodec = t.readonly(
  t.type({
    /** The artifact's path, as the template rendered it. */
    path: t.string,
    /** The serializer that wrote it, e.g. `safetensors`, `tfjs-layers`. */
    format: t.string,
    /** 0-based epoch of the event that saved it. */
    epoch: NonNegativeInt,
    /** Global batch count at the save (batches seen since training began). */
    step: NonNegativeInt,
    /** 0-based batch index for batch-level saves, else null. */
    batch: t.union([NonNegativeInt, t.null]),
    metrics: t.readonly(t.record(t.string, JsonNumber)),
    /** The monitored value used for ranking, null when absent. */
    score: t.union([JsonNumber, t.null]),
    /** Wall time of the commit, ms since the Unix epoch. */
    time: t.number,
    files: t.readonlyArray(FileRecordCodec),
    /** The policy's state right after this save: resuming from this checkpoint continues from it. */
    policyState: t.unknown,
  }),
)
export type Entry = t.TypeOf<typeof EntryCodec>

/** How `best` is chosen: the monitored metric and its direction. */
export const RankingCodec = t.readonly(t.type({ monitor: t.string, mode: t.keyof({ min: null, max: null }) }))

export const SegmentRefCodec = t.readonly(
  t.type({
    key: t.refinement(t.string, (k) => SEGMENT_KEY.test(k), 'a segment key, ckpt-index.d/<seq>-<8 hex digits>.json'),
    size: NonNegativeInt,
    sha256: t.refinement(t.string, (s) => /^sha256:[0-9a-f]{64}$/.test(s), 'Sha256Digest'),
    /** Its place in the merge schedule: segments of one level merge into one of the next (docs/format.md). */
    level: NonNegativeInt,
  }),
)
export type SegmentRef = t.TypeOf<typeof SegmentRefCodec>

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
  readonly ranking?: t.TypeOf<typeof RankingCodec>
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

/**
 * A list of `item`, decoded up to its first bad item: a hostile list of a million bad items costs one error, not a
 * million (io-ts's arrays collect an error for every item: seconds and hundreds of MB).
 */
const listToFirstError = <C extends t.Mixed>(item: C): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> =>
  new t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown>(
    `ReadonlyArray<${item.name}>`,
    (u): u is ReadonlyArray<t.TypeOf<C>> => Array.isArray(u) && u.every((v) => item.is(v)),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c)
      const out: unknown[] = []
      for (let i = 0; i < u.length; i++) {
        const r: t.Validation<unknown> = item.validate(u[i], t.appendContext(c, String(i), item, u[i]))
        if (E.isLeft(r)) return r
        out.push(r.right)
      }
      return t.success(out)
    },
    (a) => a.map((v) => item.encode(v) as t.OutputOf<C>),
  )

const Entries = listToFirstError(EntryCodec)
const Shell = {
  format: t.literal(INDEX_FORMAT),
  checkpoints: t.UnknownArray,
  replacing: t.UnknownArray,
  removing: t.UnknownArray,
  /** The policy's state at the latest commit. */
  policyState: t.unknown,
}
/** The index file's fields other than the entries, which are checked apart (fast, see fast-entries.ts), by version. */
const V1ShellCodec = t.intersection([t.type({ ...Shell, version: t.literal(1) }), t.partial({ ranking: RankingCodec })])
const V2ShellCodec = t.intersection([
  t.type({
    ...Shell,
    version: t.union([t.literal(2), t.literal(INDEX_VERSION)]),
    seq: t.refinement(NonNegativeInt, (n) => n <= MAX_SEQ, `an index-write count of at most ${MAX_SEQ}`),
    segments: listToFirstError(SegmentRefCodec),
    dropped: listToFirstError(t.string),
  }),
  t.partial({ ranking: RankingCodec }),
])

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

/** Longest rendering of one offending value, and of all the errors together. */
const MAX_VALUE_CHARS = 120
const MAX_ERRORS_CHARS = 2000

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

/** The first few decode errors, each value previewed without recursion, the whole bounded in size. */
export const describeErrors = (errors: t.Errors): string => {
  const text = errors
    .slice(0, 5)
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.')
      const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value'
      return `${path || '(root)'}: got ${preview(e.value)}, expected ${expected.length > 200 ? `${expected.slice(0, 200)}…` : expected}`
    })
    .join('; ')
  return text.length > MAX_ERRORS_CHARS ? `${text.slice(0, MAX_ERRORS_CHARS)}…` : text
}

/**
 * The entries of `list` (field `field` of a document), validated and decoded: the fast check, and on a failure
 * io-ts over the first entry that failed, for the message (over the whole list, io-ts would build an error for
 * every bad entry: seconds and hundreds of MB for a list of a million nulls). Left is the description of the errors.
 */
export const decodeEntryList = (list: ReadonlyArray<unknown>, field: string): E.Either<string, ReadonlyArray<Entry>> => {
  const fast = checkEntries(list)
  if (typeof fast !== 'number') return E.right(fast as ReadonlyArray<Entry>)
  const at = String(fast)
  const first = t.type({ [field]: t.type({ [at]: EntryCodec }) }).decode({ [field]: { [at]: list[fast] } })
  if (E.isLeft(first)) return E.left(describeErrors(first.left))
  // The fast check and io-ts disagree (they should not): io-ts over the whole list decides.
  return pipe(
    t.type({ [field]: Entries }).decode({ [field]: list }),
    E.bimap(describeErrors, (d) => d[field]!),
  )
}

/** Policy states are free JSON: bounded in depth by what nests above them in the index (root, list, entry). */
export const MAX_POLICY_STATE_DEPTH = MAX_INDEX_DEPTH - 3

/** UTF-8 bytes as text, or null when they are not valid UTF-8. */
export const utf8Text = (bytes: Uint8Array): string | null => {
  const text = utf8OrNull(bytes)
  // A leading byte order mark (an index saved by an editor) is dropped, as TextDecoder did before version 2.
  return text !== null && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * Parses and validates the bytes of the index file, version 1 or 2. A future format version is its own clear
 * error. A version-1 file reads as a head with no segment.
 */
export const decodeIndex = (bytes: Uint8Array, key = INDEX_KEY): E.Either<CheckpointError, IndexHead> => {
  const corrupt = (message: string): CheckpointError => ({ _tag: 'CorruptIndex', key, message: `index "${key}" ${message}` })
  let json: unknown
  try {
    const text = utf8Text(bytes)
    if (text === null) throw new Error('invalid UTF-8')
    if (jsonDepth(text, MAX_INDEX_DEPTH) > MAX_INDEX_DEPTH)
      return E.left(corrupt(`nests objects and arrays more than ${MAX_INDEX_DEPTH} deep (the limit); it was left untouched`))
    json = JSON.parse(text)
  } catch (e) {
    return E.left(corrupt(`is not valid UTF-8 JSON (${(e as Error).message}); it was left untouched`))
  }
  if (typeof json === 'object' && json !== null && 'version' in json) {
    const version = json.version
    if (typeof version === 'number' && version > INDEX_VERSION)
      return E.left(
        corrupt(
          `has format version ${version}, but this ckpt reads versions 1 to ${INDEX_VERSION}: upgrade ckpt to read it; it was left untouched`,
        ),
      )
  }
  const schema = (errors: string) => corrupt(`does not match the index schema (${errors}); it was left untouched`)
  const v1 = typeof json === 'object' && json !== null && 'version' in json && json.version === 1
  const shell = v1 ? V1ShellCodec.decode(json) : V2ShellCodec.decode(json)
  if (E.isLeft(shell)) return E.left(schema(describeErrors(shell.left)))
  const head = shell.right
  // ckpt names each segment once; a key named again would be read, decoded and held again, as often as it is named.
  if (head.version !== 1) {
    const seen = new Set<string>()
    for (const { key: k } of head.segments) {
      if (seen.has(k)) return E.left(corrupt(`names the segment "${k}" more than once; it was left untouched`))
      seen.add(k)
    }
  }
  const lists: Record<'checkpoints' | 'replacing' | 'removing', ReadonlyArray<Entry>> = { checkpoints: [], replacing: [], removing: [] }
  for (const field of ['checkpoints', 'replacing', 'removing'] as const) {
    const decoded = decodeEntryList(head[field], field)
    if (E.isLeft(decoded)) return E.left(schema(decoded.left))
    lists[field] = decoded.right
  }
  return E.right(head.version === 1 ? { ...head, seq: 0, segments: [], dropped: [], ...lists } : { ...head, ...lists })
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
