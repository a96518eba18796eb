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
  /** 0 where there is no process id (a browser). */
  readonly pid: number
  /** 0 on the main thread, or where there are no thread ids. */
  readonly thread: number
  /** When this process started (ms since the epoch); 0 where unknown. */
  readonly processStart: number
  /** Whether process `pid` runs on this host; true where that cannot be told. */
  isAlive(pid: number): boolean
  /**
   * The writer `incarnation` (this module instance) as other writers see it: its host's name, and, where the
   * platform can show the other writers of that host that it still runs, the marker it now holds for as long as it
   * runs (browsers: a Web Lock, released when the page or worker goes); `alive` is null where it cannot.
   */
  identify(incarnation: string): Promise<{ readonly name: string; readonly alive: string | null }>
  /** Whether the marker `alive` of a writer of this host is held: false when that writer is gone, null where that cannot be told. */
  isHeld(alive: string): Promise<boolean | null>
}
