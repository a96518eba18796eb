import type { ByteRange, Capabilities, ObjectInfo, Storage, WriteData, WriteOptions } from '../storage/storage.js'
import type { Ranking } from '../policy/index.js'
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
  /** The writer's monitor and mode, so that an index rebuilt from the artifacts can still rank. */
  readonly ranking?: Ranking
  /** Set on the `last` checkpoint of `saveLast`, so that an index rebuilt from the artifacts knows it. */
  readonly last?: true
}

/** A checkpoint found by scanning the storage, when the index is lost. */
export interface ScannedCheckpoint {
  readonly path: string
  readonly files: ReadonlyArray<FileRecord>
  readonly meta: CheckpointMeta
}

/** A file written into a checkpoint: its index record and the storage's version tag. */
export interface WrittenFile {
  readonly record: FileRecord
  readonly etag: string
}

/**
 * What a serializer writes a checkpoint through: each file atomically, recorded (size, SHA-256) for the index
 * entry. Not a Storage: it reaches only the files of the checkpoint being written and the versions they replace.
 * Every method rejects with a `CheckpointFailure` whose value is `StorageFailed`, holding the storage's error.
 */
export interface ArtifactWriter {
  /** The storage's conditional-write guarantees, for a serializer that commits with a condition. */
  readonly capabilities: Capabilities
  writeFile(key: string, data: WriteData, options?: WriteOptions): Promise<WrittenFile>
  /** Removes a file this serializer wrote earlier and no longer needs (never an indexed file of another checkpoint). */
  removeFile(key: string): Promise<void>
  /** Reads a file already in the storage, unverified: the version a save replaces (e.g. a previous `model.json`). */
  readExisting(key: string): Promise<Uint8Array>
  /** The size and version tag of a file already in the storage, or null. */
  statExisting(key: string): Promise<ObjectInfo | null>
  /**
   * The keys under `prefix` that no live checkpoint names and that are not ckpt's own files: what a save that
   * crashed before its commit may have left (a serializer whose file names are unique per save sweeps them).
   */
  listUnnamed(prefix: string): Promise<ReadonlyArray<string>>
}

/** Reads files of an indexed artifact; every byte is checked against the index's size and checksum. */
export interface ArtifactReader {
  /** The artifact's files, as the serializer wrote them (ckpt's block lists, which check them, left out). */
  readonly files: ReadonlyArray<FileRecord>
  /** The whole file in one buffer; a file larger than one buffer holds (4 GiB) rejects with `StorageFailed` (`Unsupported`). */
  readFile(key: string): Promise<Uint8Array>
  /**
   * The file as a stream of bounded chunks, handed to `consume` with the recorded size; resolves to what `consume`
   * resolved to once every byte matched the index, and rejects with `CorruptCheckpoint` otherwise (also when
   * `consume` rejected on bytes that do not match). Until then the bytes are unverified: `consume` must keep
   * what it builds from them to itself. For files of any size: nothing is held but what `consume` keeps.
   */
  readFileStream<A>(key: string, consume: (chunks: AsyncIterable<Uint8Array>, size: number) => Promise<A>): Promise<A>
  /**
   * The bytes of each of `ranges` (within the file, not overlapping; `end` exclusive), in the order given, each in a
   * buffer of its own (a plain ArrayBuffer of exactly its size, as a typed array may view), once they matched the
   * index: for a file recorded with block checksums, only the blocks the ranges touch are read (positional reads,
   * ranged GETs) and hashed; a file recorded with one SHA-256 is read whole, streamed, keeping only the ranges.
   * Rejects with `CorruptCheckpoint` when a byte read does not match.
   */
  readRanges(key: string, ranges: ReadonlyArray<ByteRange>): Promise<Uint8Array[]>
  /** `readRanges` of one range. */
  readRange(key: string, start: number, end: number): Promise<Uint8Array>
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
   * Reads only the tensors named (`restore(which, { tensors })`), every byte read verified, reading as little of the
   * files as their checksums allow. A name the checkpoint does not hold is `UnknownTensors`. Optional: without it,
   * a partial restore of this format is refused.
   */
  readTensors?(reader: ArtifactReader, path: string, names: ReadonlyArray<string>): Promise<Restored>
  /**
   * Finds this serializer's checkpoints in `storage` from the metadata each artifact carries, with fresh
   * checksums. Used to rebuild a lost index. Optional: without it a lost index cannot be rebuilt.
   */
  scan?(storage: Storage): Promise<ReadonlyArray<ScannedCheckpoint>>
  /**
   * The n-th version of `path` for `enableVersionCounter` (Lightning's `-vN`), when this format's rule differs
   * from the default (`name-vN.ext`, see {@link versionedPath}); e.g. a folder artifact versions its folder.
   */
  versionedPath?(path: string, n: number): string
  /**
   * Keys besides `path` whose presence means an artifact is at `path` (e.g. a sharded artifact's index), so that
   * `enableVersionCounter` does not write over it. Default: none.
   */
  claims?(path: string): ReadonlyArray<string>
}
