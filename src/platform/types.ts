/** An incremental SHA-256, as `#platform/sha256.js` gives it. */
export interface Sha256 {
  /** Adds bytes; they are read before it returns. */
  update(bytes: Uint8Array): void
  /** The digest of every byte added, as 64 lowercase hex digits. Call once, last. */
  hex(): string
}

/** What inflating raw DEFLATE data into at most a given size gave. */
export type Inflated =
  | { readonly _tag: 'Inflated'; readonly data: Uint8Array }
  | { readonly _tag: 'TooLong' }
  | { readonly _tag: 'Corrupt'; readonly reason: string }

/** Who this writer is, for the writer lock: a host, a process and a thread, where the platform has them. */
export interface Host {
  readonly name: string
  /** 0 where there is no process id (a browser). */
  readonly pid: number
  /** 0 on the main thread, or where there are no thread ids. */
  readonly thread: number
  /** When this process started (ms since the epoch); 0 where unknown. */
  readonly processStart: number
  /** Whether process `pid` runs on this host; true where that cannot be told. */
  isAlive(pid: number): boolean
  /**
   * Marks the writer `incarnation` (this module instance) alive for as long as it runs, where the platform can show
   * that to other writers of this host (browsers: a Web Lock, released when the page or worker goes).
   */
  markAlive(incarnation: string): Promise<void>
  /** Whether the writer `incarnation` of this host still runs: false when it is gone, null where that cannot be told. */
  incarnationAlive(incarnation: string): Promise<boolean | null>
}
