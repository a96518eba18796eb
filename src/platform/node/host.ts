import { hostname } from 'node:os'
import { threadId } from 'node:worker_threads'
import type { Host } from '../types.js'

const name = (() => {
  try {
    return hostname()
  } catch {
    return 'unknown-host'
  }
})()

/** This Node process: its host name, pid, thread and start time, and `kill(pid, 0)` to tell whether a pid runs. */
export const host: Host = {
  pid: process.pid,
  thread: threadId,
  processStart: Math.round(Date.now() - process.uptime() * 1000),
  isAlive(pid) {
    try {
      process.kill(pid, 0)
      return true
    } catch (e) {
      return (e as { code?: string }).code === 'EPERM' // it runs, as another user; ESRCH: there is none
    }
  },
  // A Node writer is told by its pid (`isAlive`).
  identify: () => Promise.resolve({ name, alive: null }),
  isHeld: () => Promise.resolve(null),
}
