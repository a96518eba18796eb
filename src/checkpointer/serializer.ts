import type { Storage, WriteData, WriteOptions } from '../storage/storage.js'
import type { FileRecord } from './index-file.js'

/** What a serializer knows about the checkpoint it writes; it may embed this in the artifact. */
export interface CheckpointMeta {
  readonly epoch: number
  readonly step: number
  readonly batch: number | null
  readonly metrics: Readonly<Record<string, number>>
  readonly score: number | null
  readonly time: number
  /** The policy's state right after this save, so that a lost index can be rebuilt exactly. */
  readonly policyState: unknown
}

/** A checkpoint found by scanning the storage, when the index is lost. */
export interface ScannedCheckpoint {
  readonly path: string
  readonly files: ReadonlyArray<FileRecord>
  readonly meta: CheckpointMeta
}

/** Writes one file of an artifact, atomically, and records its size and checksum for the index. */
export interface ArtifactWriter {
  writeFile(key: string, data: WriteData, options?: WriteOptions): Promise<FileRecord>
  /** Removes a file this serializer wrote earlier and no longer needs (never an indexed file of another checkpoint). */
  removeFile(key: string): Promise<void>
  /**
   * The same writer as a Storage, for code written against Storage (e.g. a tfjs IOHandler): its writes and
   * removes are recorded like `writeFile`/`removeFile`; reads, lists and stats go to the real storage.
   */
  readonly storage: Storage
}

/** Reads files of an indexed artifact; every byte is checked against the index's size and checksum. */
export interface ArtifactReader {
  readonly files: ReadonlyArray<FileRecord>
  readFile(key: string): Promise<Uint8Array>
}

/**
 * Turns a snapshot into files and back. `Snapshot` is what the caller hands over at a save
 * (for the default serializer, a record of tensors); `Restored` is what `restore` gives back.
 */
export interface Serializer<Snapshot, Restored = Snapshot> {
  /** Recorded in each index entry. */
  readonly format: string
  /**
   * Takes what must be taken before the caller continues: a copy of anything the caller may change
   * after the call returns. With `immutable`, the caller promised not to change it until the save completes.
   * The Checkpointer calls it only once the previous save has completed, so a serializer may reuse its buffers.
   */
  capture(snapshot: Snapshot, options: { readonly immutable: boolean }): Snapshot
  /** Writes the artifact at `path`, each file atomically, the commit point last. */
  write(writer: ArtifactWriter, path: string, snapshot: Snapshot, meta: CheckpointMeta): Promise<void>
  read(reader: ArtifactReader, path: string): Promise<Restored>
  /**
   * Finds this serializer's checkpoints in `storage` from the metadata each artifact carries, with fresh
   * checksums. Used to rebuild a lost index. Optional: without it a lost index cannot be rebuilt.
   */
  scan?(storage: Storage): Promise<ReadonlyArray<ScannedCheckpoint>>
}
