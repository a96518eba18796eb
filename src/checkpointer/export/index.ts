/** Checkpoints in and out of a storage as one file: a tar archive with a manifest (docs/checkpointer.md, "Export and import"). */
export { exportCheckpoint, exportRun, type CheckpointArchive } from './export.js'
export { importCheckpoints, type ImportOptions, type Imported } from './import.js'
export type { ArchiveSource, BlobLike, ByteStreamLike, ResponseLike } from './archive-source.js'
export type { ArchiveError } from './archive-errors.js'
