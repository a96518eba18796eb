import type { Host } from '../types.js'

/** The Web Locks API, where the page or worker has it. */
interface LockManager {
  request(name: string, callback: () => Promise<void>): Promise<void>
  query(): Promise<{ readonly held?: ReadonlyArray<{ readonly name?: string }> }>
}
const locks = (): LockManager | undefined => (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks

/** What {@link profile} uses of IndexedDB (the Node program's types have no DOM). */
interface Request<T> {
  readonly result: T
  onsuccess: (() => void) | null
  onerror: (() => void) | null
  onupgradeneeded?: (() => void) | null
}
interface Database {
  createObjectStore(name: string): unknown
  transaction(
    store: string,
    mode: 'readwrite',
  ): {
    objectStore(name: string): { get(key: number): Request<unknown>; put(value: string, key: number): unknown }
    oncomplete: (() => void) | null
    onabort: (() => void) | null
  }
  close(): void
}

const random = (): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * This browser profile's id for the origin, kept in IndexedDB: the pages, tabs and workers of a profile read the same
 * one (as they share its Web Locks), and it outlives them, so a page loaded later knows the lock of one gone. Random
 * where IndexedDB refuses (an opaque origin) or does not answer: a host of its own.
 */
const profile = (): Promise<string> =>
  new Promise<string>((resolve) => {
    const done = (id: string) => {
      clearTimeout(timer)
      resolve(id)
    }
    const own = () => done(random())
    // Some browsers have left an IndexedDB open unanswered (Safari 14.1): the writer goes on as a host of its own.
    const timer = setTimeout(own, 10_000)
    try {
      const idb = (globalThis as unknown as { indexedDB: { open(name: string): Request<Database> } }).indexedDB
      const open = idb.open('ckpt-writer-host')
      open.onupgradeneeded = () => open.result.createObjectStore('id')
      open.onerror = own
      open.onsuccess = () => {
        const db = open.result
        try {
          // One transaction: of two pages starting at once, the second reads the id the first put.
          const tx = db.transaction('id', 'readwrite')
          const ids = tx.objectStore('id')
          const got = ids.get(0)
          let id = random()
          got.onsuccess = () => {
            if (typeof got.result === 'string') id = got.result
            else ids.put(id, 0)
          }
          tx.oncomplete = () => done(id)
          tx.onabort = own
        } catch {
          own()
        } finally {
          db.close() // once the transaction ends: never holds up another page's upgrade or deletion
        }
      }
    } catch {
      own()
    }
  })

/**
 * Holds the Web Lock `name` for the page's or worker's life; whether it is held. Granted at once (the name is this
 * writer's own). False where there are no Web Locks, or they refuse this context (an opaque origin: SecurityError).
 */
const hold = (name: string): Promise<boolean> =>
  new Promise<boolean>((held) => {
    const manager = locks()
    if (manager === undefined) return held(false)
    manager
      .request(name, () => {
        held(true)
        return new Promise<void>(() => undefined)
      })
      .catch(() => held(false))
  }).catch(() => false)

/**
 * A page or worker: no process id or thread id, so a writer is told by its incarnation. While it runs it holds the
 * Web Lock `ckpt-writer-alive:<incarnation>`, which the browser releases when the page is reloaded or closed, or the
 * worker ends: another page or worker of this profile then takes over its writer lock at once, not after
 * `lockStaleAfter`.
 */
export const host: Host = {
  pid: 0,
  thread: 0,
  processStart: 0,
  isAlive: () => true,
  async identify(incarnation) {
    const alive = `ckpt-writer-alive:${incarnation}`
    const [id, held] = await Promise.all([profile(), hold(alive)])
    return { name: `browser ${id}`, alive: held ? alive : null }
  },
  async isHeld(alive) {
    const manager = locks()
    if (manager === undefined) return null
    try {
      const { held = [] } = await manager.query()
      return held.some((l) => l.name === alive)
    } catch {
      return null // Web Locks refuse this context
    }
  },
}
