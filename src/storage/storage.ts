import type { Either } from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import { StorageFailure, type StorageError } from './errors.js'

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

/**
 * What an adapter guarantees beyond plain atomic writes. A write that asks for an undeclared capability fails
 * with `Unsupported`; a condition is never silently ignored.
 */
export interface Capabilities {
  /** `write(key, data, { ifAbsent: true })` creates atomically or fails with `AlreadyExists`. */
  readonly ifAbsent: boolean
  /** `write(key, data, { ifMatch: etag })` replaces atomically only that version, else `PreconditionFailed`. */
  readonly ifMatch: boolean
}

/** The functional core every adapter implements. */
export interface StorageDriver {
  readonly name: string
  /** What is known now; for adapters that probe their server, final once `open` has succeeded. */
  readonly capabilities: Capabilities
  /**
   * The opening work (temp-file sweep, client creation, capability probe), memoised; every other method
   * runs it first. Returns the final capabilities. Adapters with nothing to open may omit it.
   */
  open?(): TaskEither<StorageError, Capabilities>
  write(key: string, data: WriteData, options?: WriteOptions): TaskEither<StorageError, ObjectInfo>
  /** The whole object, or the bytes of `range` (`end` clamped to the size). */
  read(key: string, range?: ByteRange): TaskEither<StorageError, Uint8Array>
  /**
   * The object as a stream of chunks, for objects too large to hold. The object is opened (and a missing key
   * reported) before this resolves; a failure while iterating throws a `StorageFailure`.
   */
  readStream(key: string, range?: ByteRange): TaskEither<StorageError, AsyncIterable<Uint8Array>>
  /** Every key that starts with `prefix` (a plain string prefix), in UTF-8 byte order. */
  list(prefix?: string): TaskEither<StorageError, ReadonlyArray<string>>
  /** Removing a missing key succeeds. */
  remove(key: string): TaskEither<StorageError, void>
  /** A missing key is `null`, not an error. */
  stat(key: string): TaskEither<StorageError, ObjectInfo | null>
  close?(): TaskEither<StorageError, void>
}

/**
 * The Promise surface users call. Each method rejects with a `StorageFailure`: an `Error` that carries the
 * `StorageError` value as `.error` and repeats its `_tag`, `key` and `message`.
 */
export interface Storage {
  readonly name: string
  readonly capabilities: Capabilities
  /** The functional core beneath. */
  readonly driver: StorageDriver
  /** Does the opening work now (it otherwise happens on first use) and returns the final capabilities. */
  open(): Promise<Capabilities>
  write(key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo>
  read(key: string, range?: ByteRange): Promise<Uint8Array>
  readStream(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>
  list(prefix?: string): Promise<ReadonlyArray<string>>
  remove(key: string): Promise<void>
  stat(key: string): Promise<ObjectInfo | null>
  close(): Promise<void>
}

const run = async <A>(task: TaskEither<StorageError, A>): Promise<A> => {
  const result = await task()
  if (result._tag === 'Left') throw new StorageFailure(result.left)
  return result.right
}

/**
 * The thin Promise surface over a driver: same methods, each rejecting with a `StorageFailure`.
 *
 * @example
 * const storage = fromDriver(myDriver)
 * await storage.write('a/b.bin', new Uint8Array([1, 2, 3]))
 */
export const fromDriver = (driver: StorageDriver): Storage => ({
  get name() {
    return driver.name
  },
  get capabilities() {
    return driver.capabilities
  },
  driver,
  open: () => run(driver.open ? driver.open() : TE.right(driver.capabilities)),
  write: (key, data, options) => run(driver.write(key, data, options)),
  read: (key, range) => run(driver.read(key, range)),
  readStream: (key, range) => run(driver.readStream(key, range)),
  list: (prefix) => run(driver.list(prefix)),
  remove: (key) => run(driver.remove(key)),
  stat: (key) => run(driver.stat(key)),
  close: () => run(driver.close ? driver.close() : TE.right(undefined)),
})

/**
 * Memoises an opening task: it runs once on first use and later calls share its result. A failed open is
 * not remembered, so the next call tries again.
 */
export const memoiseOpen = <A>(open: TaskEither<StorageError, A>): TaskEither<StorageError, A> => {
  let pending: Promise<Either<StorageError, A>> | null = null
  return () => {
    if (pending === null) {
      pending = open().then((result) => {
        if (result._tag === 'Left') pending = null
        return result
      })
    }
    return pending
  }
}
