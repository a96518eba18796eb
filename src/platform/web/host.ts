import type { Host } from '../types.js'

/**
 * A page or worker: no host name, process id or thread id to tell writers apart, so the lock's owner is told by
 * its random incarnation and its heartbeat alone (an owner gone silent for `staleAfterMs` is taken over).
 */
export const host: Host = { name: 'browser', pid: 0, thread: 0, processStart: 0, isAlive: () => true }
