import type { Storage } from '../storage/storage.js'
import { verifyingReader } from './artifact-reader.js'
import { fail, isCorruption } from './errors.js'
import type { Entry } from './index-file.js'
import type { ArtifactReader } from './serializer.js'

/** A checkpoint passed over because it failed verification, and why. */
export interface Skipped {
  readonly path: string
  readonly reason: string
}

export interface VerifiedRead<R> {
  readonly entry: Entry
  readonly value: R
  /** Candidates before `entry` that failed verification. */
  readonly skipped: ReadonlyArray<Skipped>
}

/**
 * The one verified read of ckpt: reads the first of `candidates` whose every byte matches the index, with
 * `read` (a serializer's read). A corrupt candidate is passed over and reported to `onSkip`; any other failure
 * (storage, a format the caller refuses) rejects as it is. Rejects with `CorruptCheckpoint` when none verifies.
 */
export const readFirstValid = async <R>(
  storage: Storage,
  candidates: ReadonlyArray<Entry>,
  read: (reader: ArtifactReader, entry: Entry) => Promise<R>,
  onSkip: (skipped: Skipped) => void = () => undefined,
): Promise<VerifiedRead<R>> => {
  const skipped: Skipped[] = []
  for (const entry of candidates) {
    try {
      return { entry, value: await read(verifyingReader(storage, entry), entry), skipped }
    } catch (e) {
      if (!isCorruption(e)) throw e
      const s = { path: entry.path, reason: e.message }
      skipped.push(s)
      onSkip(s)
    }
  }
  return fail({
    _tag: 'CorruptCheckpoint',
    path: candidates[0]?.path ?? '',
    message: `no valid checkpoint: ${skipped.map((s) => s.reason).join('; ')}`,
    fallback: null,
  })
}
