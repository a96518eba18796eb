import { failureOf } from './errors.js'

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

/**
 * What every adapter implements: Promises that reject with a `StorageFailure` (and nothing else). Adapters
 * validate keys themselves; `fromDriver` adds the defaults and the Promise surface users call.
 */
export interface StorageDriver {
  readonly name: string
  /**
   * What is known now; for adapters that probe their backend, final once `open` has resolved (before, what a
   * compliant backend would have). Choose a write's condition from what `open` resolves to.
   */
  readonly capabilities: Capabilities
  /**
   * The writer's opening work (creating the folder, sweeping temp files, probing capabilities), memoised:
   * `write` runs it first. It may write (a probe), so the reads (`read`, `readStream`, `list`, `stat`) never
   * run it, and write nothing. A probe the backend refuses (read-only, no permission) resolves to fewer
   * capabilities, not a failure. Resolves to the final capabilities. Adapters with nothing to open may omit it.
   */
  open?(): Promise<Capabilities>
  /** Resolves to the new object's real size and etag, the same a `stat` right after would give. */
  write(key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo>
  /** The whole object, or the bytes of `range` (`end` clamped to the size). */
  read(key: string, range?: ByteRange): Promise<Uint8Array>
  /**
   * The object as a stream of chunks, for objects too large to hold. The object is opened (and a missing key
   * reported) before this resolves; a failure while iterating throws a `StorageFailure`.
   */
  readStream(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>>
  /**
   * Optional: the bytes of `range` into `target` from its first byte (`target` holds `range.end - range.start`
   * bytes at least); resolves to how many were read (fewer only at the object's end). For readers that reuse their
   * buffers: memory written again is cheaper than fresh memory. Without it, readers use `read`.
   */
  readInto?(key: string, range: ByteRange, target: Uint8Array): Promise<number>
  /** Every key that starts with `prefix` (a plain string prefix), in UTF-8 byte order. */
  list(prefix?: string): Promise<ReadonlyArray<string>>
  /** Removing a missing key succeeds. */
  remove(key: string): Promise<void>
  /** A missing key is `null`, not an error. */
  stat(key: string): Promise<ObjectInfo | null>
  close?(): Promise<void>
}

/**
 * The Promise surface users call: the driver's methods, with `open` and `close` always present. Each method
 * rejects with a `StorageFailure`: a `CkptError` that carries the `StorageError` value as `.error` and repeats
 * its `_tag`, `key` and `message`.
 */
export interface Storage extends Omit<StorageDriver, 'open' | 'close'> {
  /**
   * Does the writer's opening work now (it otherwise happens at the first write) and returns the final
   * capabilities: await it before choosing a write's condition. It may write a probe; readers never need it.
   */
  open(): Promise<Capabilities>
  close(): Promise<void>
}

/**
 * Runs a driver call (at once, as a direct call would); anything it rejects with or throws that is not a
 * `StorageFailure` (an adapter bug) becomes an `IOError` one.
 */
const guard = <A>(key: unknown, what: string, call: () => Promise<A>): Promise<A> => {
  let pending: Promise<A>
  try {
    pending = call()
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was thrown, as is; the catch below wraps it
    pending = Promise.reject(e)
  }
  return Promise.resolve(pending).catch((e: unknown) => Promise.reject(failureOf(String(key), what)(e)))
}

/**
 * The Promise surface over a driver: the same methods, `open` and `close` defaulted, and every rejection a
 * `StorageFailure`.
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
  open: () => guard('', 'open', async () => (driver.open ? driver.open() : driver.capabilities)),
  write: (key, data, options) => guard(key, 'write', () => driver.write(key, data, options)),
  read: (key, range) => guard(key, 'read', () => driver.read(key, range)),
  readStream: (key, range) => guard(key, 'readStream', () => driver.readStream(key, range)),
  ...(driver.readInto === undefined
    ? {}
    : {
        readInto: (key: string, range: ByteRange, target: Uint8Array) => guard(key, 'readInto', () => driver.readInto!(key, range, target)),
      }),
  list: (prefix) => guard(prefix ?? '', 'list', () => driver.list(prefix)),
  remove: (key) => guard(key, 'remove', () => driver.remove(key)),
  stat: (key) => guard(key, 'stat', () => driver.stat(key)),
  close: () => guard('', 'close', async () => driver.close?.()),
})

/**
 * Memoises opening work: it runs once on first use and later calls share its result. A failed open is not
 * remembered, so the next call tries again.
 */
export const memoiseOpen = <A>(open: () => Promise<A>): (() => Promise<A>) => {
  let pending: Promise<A> | null = null
  return () => {
    if (pending === null) {
      const attempt = open()
      pending = attempt
      attempt.catch(() => {
        if (pending === attempt) pending = null
      })
    }
    return pending
  }
}
