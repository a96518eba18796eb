import * as t from '#io-ts'
import * as E from '#fp-ts/Either.js'
import { pipe } from '#fp-ts/function.js'
import type { CheckpointError } from './errors.js'

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

const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'NonNegativeInteger')

export const FileRecordCodec = t.readonly(
  t.type({
    key: t.string,
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

const describeErrors = (errors: t.Errors): string =>
  errors
    .slice(0, 5)
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.')
      const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value'
      return `${path || '(root)'}: got ${JSON.stringify(e.value) ?? String(e.value)}, expected ${expected}`
    })
    .join('; ')

/** Parses and validates index bytes. A future format version is its own clear error. */
export const decodeIndex = (bytes: Uint8Array, key = INDEX_KEY): E.Either<CheckpointError, IndexDoc> => {
  const corrupt = (message: string): CheckpointError => ({ _tag: 'CorruptIndex', key, message: `index "${key}" ${message}` })
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
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
