import * as E from '#fp-ts/Either.js'
import type { PolicyState, Ranking } from '../policy/index.js'
import { configError, configIssue } from '../policy/index.js'
import { verifyEntry } from './artifact-reader.js'
import { BLOCK_BYTES } from './blocks.js'
import { restoreCandidates, type Which } from './candidates.js'
import { fail, isCorruption } from './errors.js'
import { isBlockRecord, type Entry } from './index-file.js'
import type { Storage } from '../storage/storage.js'
import type { ArtifactReader, Serializer } from './serializer.js'
import { readFirstValid, type VerifiedRead } from './verified-read.js'

/** What a restore reads through: a checkpoint folder's storage and serializer, and where it logs. */
export interface ReadFolder<R> {
  readonly storage: Storage
  readonly serializer: Serializer<unknown, R>
  readonly log: (line: string) => void
}

/**
 * Restores `which` from the live `entries` through the one verified read. For `'latest'` and `'best'` a corrupt
 * checkpoint is passed over (logged, and reported in `skipped`); for a path it rejects with `CorruptCheckpoint`,
 * whose `fallback` names the newest valid checkpoint.
 */
export const restoreFrom = async <R>(
  folder: ReadFolder<R>,
  entries: ReadonlyArray<Entry>,
  which: Which,
  ranking: Ranking,
  tensors: ReadonlyArray<string> | null = null,
): Promise<VerifiedRead<R>> => {
  const { storage, serializer, log } = folder
  const readTensors = serializer.readTensors?.bind(serializer)
  if (tensors !== null && readTensors === undefined)
    return fail(
      configError([
        configIssue('tensors', tensors, `no tensors option: the "${serializer.format}" serializer restores whole checkpoints only`),
      ]),
    )
  const read = (reader: ArtifactReader, entry: Entry): Promise<R> =>
    tensors === null ? serializer.read(reader, entry.path) : readTensors!(reader, entry.path, tensors)
  const tried = restoreCandidates(entries, which, ranking)
  if (tried.length === 0)
    return fail({
      _tag: 'NoSuchCheckpoint',
      which,
      message:
        entries.length === 0
          ? 'there are no checkpoints to restore'
          : `no checkpoint "${which}"; the index has: ${entries.map((e) => e.path).join(', ')}`,
    })
  const noted = (r: VerifiedRead<R>): VerifiedRead<R> => {
    if (tensors !== null && !r.entry.files.some(isBlockRecord) && r.entry.files.some((f) => f.size > BLOCK_BYTES))
      log(
        `Note: checkpoint "${r.entry.path}" has no block checksums (saved by an older ckpt): its files were read whole to verify the tensors restored`,
      )
    return r
  }
  if (which === 'latest' || which === 'best')
    return noted(await readFirstValid(storage, tried, read, (s) => log(`Warning: skipping corrupt checkpoint "${s.path}": ${s.reason}`)))
  try {
    return noted(await readFirstValid(storage, tried, read))
  } catch (e) {
    if (!isCorruption(e)) throw e
    const reason = e.message.replace(/^no valid checkpoint: /, '')
    let fallback: string | null = null
    for (const other of [...entries].reverse())
      if (other !== tried[0] && (await verifyEntry(storage, other)) === null) {
        fallback = other.path
        break
      }
    return fail({
      _tag: 'CorruptCheckpoint',
      path: tried[0]!.path,
      message: `${reason}${fallback ? `; the newest valid checkpoint is "${fallback}"` : '; no other checkpoint is valid'}`,
      fallback,
    })
  }
}

/** The policy state to resume from after `restore('latest')` passed over newer corrupt checkpoints, or null. */
export const rewoundState = (
  read: VerifiedRead<unknown>,
  which: Which,
  decode: (u: unknown) => E.Either<unknown, PolicyState>,
): PolicyState | null => {
  if (which !== 'latest' || read.skipped.length === 0) return null
  const resumed = decode(read.entry.policyState)
  return E.isRight(resumed) ? resumed.right : null
}
