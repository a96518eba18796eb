import type { Host } from '../types.js'

/** The Web Locks API, where the page or worker has it. */
interface LockManager {
  request(name: string, callback: () => Promise<void>): Promise<void>
  query(): Promise<{ readonly held?: ReadonlyArray<{ readonly name?: string }> }>
}
const locks = (): LockManager | undefined => (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks

const random = (): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * This browser profile's origin storage, as a host: an id kept in `localStorage`, so that the pages and tabs of one
 * profile are one host (they share its Web Locks). A worker, or a page without `localStorage`, is a host of its own.
 */
const profile = (): string => {
  try {
    const store = (globalThis as { localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage
    if (store === undefined) return random()
    const id = store.getItem('ckpt-host') ?? random()
    store.setItem('ckpt-host', id)
    return id
  } catch {
    return random()
  }
}

const ALIVE = 'ckpt-writer-alive:'
let marked: Promise<void> | null = null

/**
 * A page or worker: no process id or thread id, so a writer is told by its incarnation. While it runs it holds the
 * Web Lock `ckpt-writer-alive:<incarnation>`, which the browser releases when the page is reloaded or closed: another
 * page of this profile then takes over its writer lock at once, not after `lockStaleAfter`.
 */
export const host: Host = {
  name: `browser ${profile()}`,
  pid: 0,
  thread: 0,
  processStart: 0,
  isAlive: () => true,
  markAlive(incarnation) {
    const manager = locks()
    if (manager === undefined) return Promise.resolve()
    // Resolves once the lock is granted (at once: the name is this writer's own), and holds it for the page's life.
    marked ??= new Promise<void>((granted) => {
      void manager.request(`${ALIVE}${incarnation}`, () => {
        granted()
        return new Promise<void>(() => undefined)
      })
    })
    return marked
  },
  async incarnationAlive(incarnation) {
    const manager = locks()
    if (manager === undefined) return null
    const { held = [] } = await manager.query()
    return held.some((l) => l.name === `${ALIVE}${incarnation}`)
  },
}
