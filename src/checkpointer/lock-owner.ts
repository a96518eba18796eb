/** Who holds a folder's writer lock. */
export interface LockOwner {
  readonly host: string
  readonly pid: number
  /** Random per process: tells this process from an earlier one with the same pid (a restarted container). */
  readonly incarnation: string
  /** When the owner took the lock, ms since the Unix epoch. */
  readonly startedAt: number
  /** When the owner last showed it is alive (it refreshes at its saves). */
  readonly heartbeat: number
}
