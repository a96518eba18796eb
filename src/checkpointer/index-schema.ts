import * as t from '#io-ts'
import * as E from '#fp-ts/Either.js'
import { pipe } from '#fp-ts/function.js'
import { MAX_BLOCK_BYTES, MAX_BLOCKS, MIN_BLOCK_BYTES } from './blocks.js'
import type { CheckpointError } from './errors.js'
import { checkEntries, isValidRecord } from './fast-entries.js'
import {
  checkIndex,
  ENTRY_LISTS,
  INDEX_FORMAT,
  INDEX_KEY,
  INDEX_VERSION,
  indexHead,
  isUnchecked,
  preview,
  schemaError,
  segmentNamedTwice,
  type Entry,
  type EntryLists,
  type FileRecord,
  type IndexHead,
  type IndexRanking,
  type SegmentRef,
} from './index-file.js'
import { checkSegment, segmentOf, type Segment } from './index-segment.js'
import { isFileKey, MAX_SEQ, SEGMENT_KEY } from './index-keys.js'

/*
 * The index's schema as io-ts codecs, and the decoders that word its errors. ckpt checks indexes and segments by
 * hand (index-file.ts, fast-entries.ts, index-segment.ts) with exactly these rules; io-ts runs only over what that
 * check refused, to decide and to say why. So this module, and io-ts with it, is imported dynamically where the
 * check fails (index-store.ts): a browser bundle fetches it as a chunk of its own, for a corrupt index only.
 */

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
    path: t.string,
    format: t.string,
    epoch: NonNegativeInt,
    step: NonNegativeInt,
    batch: t.union([NonNegativeInt, t.null]),
    metrics: t.readonly(t.record(t.string, JsonNumber)),
    score: t.union([JsonNumber, t.null]),
    time: t.number,
    files: t.readonlyArray(FileRecordCodec),
    policyState: t.unknown,
  }),
)

export const RankingCodec = t.readonly(t.type({ monitor: t.string, mode: t.keyof({ min: null, max: null }) }))

export const SegmentRefCodec = t.readonly(
  t.type({
    key: t.refinement(t.string, (k) => SEGMENT_KEY.test(k), 'a segment key, ckpt-index.d/<seq>-<8 hex digits>.json'),
    size: NonNegativeInt,
    sha256: t.refinement(t.string, (s) => /^sha256:[0-9a-f]{64}$/.test(s), 'Sha256Digest'),
    level: NonNegativeInt,
  }),
)

// The types index-file.ts declares by hand are the codecs' own (a compile error here otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Holds<T extends true> = T
export type TypesMatch = [
  Holds<Same<t.TypeOf<typeof EntryCodec>, Entry>>,
  Holds<Same<t.TypeOf<typeof RankingCodec>, IndexRanking>>,
  Holds<Same<t.TypeOf<typeof SegmentRefCodec>, SegmentRef>>,
]

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
export const V1ShellCodec = t.intersection([t.type({ ...Shell, version: t.literal(1) }), t.partial({ ranking: RankingCodec })])
export const V2ShellCodec = t.intersection([
  t.type({
    ...Shell,
    version: t.union([t.literal(2), t.literal(INDEX_VERSION)]),
    seq: t.refinement(NonNegativeInt, (n) => n <= MAX_SEQ, `an index-write count of at most ${MAX_SEQ}`),
    segments: listToFirstError(SegmentRefCodec),
    dropped: listToFirstError(t.string),
  }),
  t.partial({ ranking: RankingCodec }),
])

/** Longest rendering of all the errors together. */
const MAX_ERRORS_CHARS = 2000

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

/** The index file's JSON decoded by io-ts: its schema, then its entry lists. */
const decodeJson = (json: unknown, key: string): E.Either<CheckpointError, IndexHead> => {
  const v1 = typeof json === 'object' && json !== null && 'version' in json && json.version === 1
  const shell = v1 ? V1ShellCodec.decode(json) : V2ShellCodec.decode(json)
  if (E.isLeft(shell)) return E.left(schemaError(key, describeErrors(shell.left)))
  const head = shell.right
  const twice = segmentNamedTwice(head, key)
  if (twice !== null) return E.left(twice)
  const lists: EntryLists = { checkpoints: [], replacing: [], removing: [] }
  for (const field of ENTRY_LISTS) {
    const decoded = decodeEntryList(head[field], field)
    if (E.isLeft(decoded)) return E.left(schemaError(key, decoded.left))
    lists[field] = decoded.right
  }
  return E.right(indexHead(head, lists))
}

/**
 * Parses and validates the bytes of the index file, version 1 to 3: the hand check (`checkIndex`), and io-ts
 * where it fails, which decides and words the error. A future format version is its own clear error. A version-1
 * file reads as a head with no segment.
 */
export const decodeIndex = (bytes: Uint8Array, key = INDEX_KEY): E.Either<CheckpointError, IndexHead> => {
  const checked = checkIndex(bytes, key)
  return isUnchecked(checked) ? decodeJson(checked.json, key) : checked
}

/**
 * Checks a segment's bytes against its reference (size, SHA-256) and decodes them: the hand check
 * (`checkSegment`), and io-ts over the entries where it fails. Left is why not, worded to follow the segment's key.
 */
export const decodeSegment = (ref: SegmentRef, bytes: Uint8Array): E.Either<string, Segment> => {
  const checked = checkSegment(ref, bytes)
  if (!isUnchecked(checked)) return checked
  const doc = checked.json as { readonly drops: ReadonlyArray<string>; readonly checkpoints: ReadonlyArray<unknown> }
  const adds = decodeEntryList(doc.checkpoints, 'checkpoints')
  if (E.isLeft(adds)) return E.left(`does not match the segment schema (${adds.left})`)
  return segmentOf(ref, doc.drops, adds.right)
}
