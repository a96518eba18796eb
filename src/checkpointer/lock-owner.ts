/** Who holds a folder's writer lock. */
export interface LockOwner {
  readonly host: string
  readonly pid: number
  /** The worker thread (0 for the main thread): threads of one process are separate writers. */
  readonly thread: number
  /** Random per holder (module instance): tells it from any other, also one with the same pid and thread. */
  readonly incarnation: string
  /** When the holder's process started, ms since the Unix epoch: an earlier one with this pid is gone. */
  readonly processStart: number
  /** When the owner took the lock, ms since the Unix epoch. */
  readonly startedAt: number
  /** When the owner last showed it is alive (it refreshes at its saves). */
  readonly heartbeat: number
  /**
   * The marker the owner holds for as long as it runs, where its platform has one (browsers: the Web Lock of this
   * name, released when its page or worker goes); absent otherwise (Node: a writer is told by its pid).
   */
  readonly alive?: string
}
