import * as t from '#io-ts'
import * as E from '#fp-ts/Either.js'
import { pipe } from '#fp-ts/function.js'
import { keyProblem } from '../storage/keys.js'
import { LOCK_KEY } from './writer-lock.js'
import type { CheckpointError } from './errors.js'
import { JSON_DEPTH, jsonDepth } from '../json/bounded-json.js'

/** The index's key at the storage root, like tf.train.CheckpointManager's `checkpoint` file. */
export const INDEX_KEY = 'ckpt-index.json'
export const INDEX_FORMAT = 'ckpt-index'
export const INDEX_VERSION = 1

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

/** A storage key by the storage's own rules, and never the index itself: an index naming it is corrupt. */
const FileKey = t.refinement(
  t.string,
  (k) => keyProblem(k) === null && k !== INDEX_KEY && k !== LOCK_KEY,
  'a valid storage key other than the index and the lock',
)

export const FileRecordCodec = t.readonly(
  t.type({
    key: FileKey,
    size: NonNegativeInt,
    sha256: t.refinement(t.string, (s) => /^sha256:[0-9a-f]{64}$/.test(s), 'Sha256Digest'),
  }),
)
export type FileRecord = t.TypeOf<typeof FileRecordCodec>

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

export const IndexCodec = t.readonly(
  t.intersection([
    t.type({
      format: t.literal(INDEX_FORMAT),
      version: t.literal(INDEX_VERSION),
      /** Live checkpoints, in commit order (the last is the latest). */
      checkpoints: t.readonlyArray(EntryCodec),
      /** Entries being overwritten in place: restored on open if their files still verify. */
      replacing: t.readonlyArray(EntryCodec),
      /** Entries retention dropped whose files may still exist: deleted on open. */
      removing: t.readonlyArray(EntryCodec),
      /** The policy's state at the latest commit. */
      policyState: t.unknown,
    }),
    t.partial({
      /** The writer's monitor and mode, so that readers without the options (restoreBest, the CLI) can rank. */
      ranking: RankingCodec,
    }),
  ]),
)
export type IndexDoc = t.TypeOf<typeof IndexCodec>

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
const preview = (value: unknown): string => {
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
const describeErrors = (errors: t.Errors): string => {
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

/** Parses and validates index bytes. A future format version is its own clear error. */
export const decodeIndex = (bytes: Uint8Array, key = INDEX_KEY): E.Either<CheckpointError, IndexDoc> => {
  const corrupt = (message: string): CheckpointError => ({ _tag: 'CorruptIndex', key, message: `index "${key}" ${message}` })
  let json: unknown
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
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
          `has format version ${version}, but this ckpt reads version ${INDEX_VERSION}: upgrade ckpt to read it; it was left untouched`,
        ),
      )
  }
  return pipe(
    IndexCodec.decode(json),
    E.mapLeft((errors) => corrupt(`does not match the index schema (${describeErrors(errors)}); it was left untouched`)),
  )
}

export const encodeIndex = (doc: IndexDoc): Uint8Array => new TextEncoder().encode(`${JSON.stringify(IndexCodec.encode(doc), null, 1)}\n`)
