/** The Checkpointer: the effectful shell that saves, lists, prunes and restores checkpoints through a Storage. */
export {
  createCheckpointer,
  type Checkpointer,
  type EpochEndEvent,
  type BatchEndEvent,
  type StepOutcome,
  type Restored,
  type RestoreOptions,
  type SnapshotSource,
  type Which,
} from './checkpointer.js'
export { CheckpointFailure, type CheckpointError } from './errors.js'
export { INDEX_KEY, encodeIndex, type Entry, type FileRecord, type IndexDoc } from './index-file.js'
export { loadIndex } from './index-store.js'
export { verifyEntry } from './read-load.js'
export { safetensorsSerializer, type SafetensorsSerializerOptions } from './safetensors-serializer.js'
export { readShardedSafetensors, type ShardedSafetensors } from './read-sharded.js'
export type { ShardedSafetensorsError } from './shard-index.js'
export type { ArtifactReader, ArtifactWriter, CheckpointMeta, ScannedCheckpoint, Serializer, WrittenFile } from './serializer.js'
export type { CheckpointerOptions, CheckpointerOwnOptions } from './options.js'
export {
  exportCheckpoint,
  exportRun,
  importCheckpoints,
  type ArchiveError,
  type ArchiveSource,
  type BlobLike,
  type ByteStreamLike,
  type CheckpointArchive,
  type ImportOptions,
  type Imported,
  type ResponseLike,
} from './export/index.js'
