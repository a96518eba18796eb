import type { Storage } from '../../storage/storage.js'
import type { Which } from '../candidates.js'
import type { ArchiveSource } from './archive-source.js'
import type { CheckpointArchive } from './export.js'
import type { ImportOptions, Imported } from './import.js'

/**
 * Checkpoints in and out of a storage as one file: a tar archive with a manifest (docs/checkpointer.md, "Export and
 * import"). Each call imports the archive code (archive-code.ts) first, so that a browser bundle loads it only when used.
 */
export type { CheckpointArchive, ImportOptions, Imported }
export type { ArchiveSource, BlobLike, ByteStreamLike, ResponseLike } from './archive-source.js'
export type { ArchiveError } from './archive-errors.js'

const code = () => import('./archive-code.js')

/**
 * One checkpoint of `storage` as an archive: `'latest'` (default), `'best'` (by the monitor the index records) or a
 * path. The manifest carries that checkpoint's own policy state, so that importing it into an empty folder resumes
 * training as of that checkpoint. Rejects with `NoSuchCheckpoint` when there is none; the files are read (and
 * verified) only as the archive is iterated.
 */
export const exportCheckpoint = async (storage: Storage, which: Which = 'latest'): Promise<CheckpointArchive> =>
  (await code()).exportCheckpoint(storage, which)

/**
 * Every live checkpoint of `storage` as one archive, with the run's policy state (best value, counters) and ranking,
 * so that importing it into an empty folder resumes the run. Rejects with `NoSuchCheckpoint` when there is no index.
 */
export const exportRun = async (storage: Storage): Promise<CheckpointArchive> => (await code()).exportRun(storage)

/**
 * Imports an archive made by `exportCheckpoint`/`exportRun` into `target`: every file is checked against the
 * archive's manifest as it streams in and written (each atomically), then one conditional index write commits the
 * checkpoints, under the target's writer lock. A checkpoint the target already holds, file for file, is left as it
 * is. An archive that fails any check (truncated, a wrong checksum, a name the manifest does not list next, a
 * link or folder member, an oversized header) is refused with `InvalidArchive`, and one that would replace another
 * checkpoint with `ImportConflict`: nothing is committed, the files written for it are removed, and the target's
 * checkpoints are untouched. Into a target without checkpoints the run's policy state and ranking come along, so
 * a Checkpointer opened on it resumes the exported run; otherwise the target keeps its own.
 */
export const importCheckpoints = async (target: Storage, source: ArchiveSource, options: ImportOptions = {}): Promise<Imported> =>
  (await code()).importCheckpoints(target, source, options)
