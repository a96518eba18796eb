import type { TaskEither } from 'fp-ts/TaskEither'
import type { StorageError } from './errors.js'

/** Bytes given to `write`: one buffer, or chunks that are streamed and never concatenated. */
export type WriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

export interface WriteOptions {
  /** Create only: fail with `AlreadyExists` if the key exists. Needs `capabilities.ifAbsent`. */
  readonly ifAbsent?: boolean
  /** Replace only if the current etag equals this one, else `PreconditionFailed`. Needs `capabilities.ifMatch`. */
  readonly ifMatch?: string
}

export interface ObjectInfo {
  readonly size: number
  /** An opaque version tag, usable with `ifMatch`. */
  readonly etag: string
}

/** A byte range, `start` inclusive, `end` exclusive. */
export interface ByteRange {
  readonly start: number
  readonly end: number
}

export interface Capabilities {
  readonly ifAbsent: boolean
  readonly ifMatch: boolean
}

/** The functional core every adapter implements. */
export interface StorageDriver {
  readonly name: string
  readonly capabilities: Capabilities
  write(key: string, data: WriteData, options?: WriteOptions): TaskEither<StorageError, ObjectInfo>
  read(key: string, range?: ByteRange): TaskEither<StorageError, Uint8Array>
  readStream(key: string, range?: ByteRange): TaskEither<StorageError, AsyncIterable<Uint8Array>>
  list(prefix?: string): TaskEither<StorageError, ReadonlyArray<string>>
  /** Removing a missing key succeeds. */
  remove(key: string): TaskEither<StorageError, void>
  /** A missing key is `null`, not an error. */
  stat(key: string): TaskEither<StorageError, ObjectInfo | null>
  close?(): TaskEither<StorageError, void>
}

/** The Promise surface users call. Each method rejects with a `StorageError` value. */
export interface Storage {
  readonly name: string
  readonly capabilities: Capabilities
  /** The functional core beneath. */
  readonly driver: StorageDriver
  write(key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo>
  read(key: string, range?: ByteRange): Promise<Uint8Array>
  readStream(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>
  list(prefix?: string): Promise<ReadonlyArray<string>>
  remove(key: string): Promise<void>
  stat(key: string): Promise<ObjectInfo | null>
  close(): Promise<void>
}
