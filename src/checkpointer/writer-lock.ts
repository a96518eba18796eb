import { host } from '#platform/host.js'
import { asStorageError } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'
import { fail, storageFailure, type CheckpointError } from './errors.js'
import type { LockOwner } from './lock-owner.js'

/** The lock file at the folder's root, beside the index. */
export const LOCK_KEY = 'ckpt-writer.lock'

export interface WriterLock {
  readonly owner: LockOwner
  /**
   * Before each write: checks that this process still holds the lock (rejects with `WriterLocked` when another
   * writer took it over), and shows it is alive at most once a `staleAfterMs / 4`.
   */
  refresh(): Promise<void>
  /** Gives up this holder's share; the last holder of the process removes the lock if it is still ours. Never rejects. */
  release(): Promise<void>
}

/** Random per module instance, so per thread: tells this holder from any other, also one with the same pid. */
const INCARNATION = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
const PID = host.pid
/** When this process started: an owner with this pid that started before it was an earlier process. */
const PROCESS_START = host.processStart
/** This writer's host name and liveness marker, found (and the marker taken) once, before its first lock. */
let identity: ReturnType<typeof host.identify> | null = null

const encode = (o: LockOwner) => new TextEncoder().encode(`${JSON.stringify(o)}\n`)

const decode = (bytes: Uint8Array): LockOwner | null => {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockOwner>
    if (typeof o.host !== 'string' || typeof o.pid !== 'number' || typeof o.incarnation !== 'string' || typeof o.heartbeat !== 'number')
      return null
    const n = (v: unknown) => (typeof v === 'number' ? v : 0)
    return {
      host: o.host,
      pid: o.pid,
      thread: n(o.thread),
      incarnation: o.incarnation,
      processStart: n(o.processStart),
      startedAt: n(o.startedAt),
      heartbeat: o.heartbeat,
      ...(typeof o.alive === 'string' ? { alive: o.alive } : {}),
    }
  } catch {
    return null
  }
}

const sameWriter = (a: LockOwner, b: LockOwner) => a.host === b.host && a.pid === b.pid && a.incarnation === b.incarnation

/** Why `o` no longer holds the lock, or null when it may: a process gone from this host (`me`'s), or a heartbeat too old. */
const deadOwner = (o: LockOwner, me: LockOwner, now: number, staleAfterMs: number): string | null => {
  if (o.host === me.host && o.pid === PID && o.processStart > 0 && o.processStart < PROCESS_START - 1000)
    return `process ${o.pid} was restarted (the holder started before this process)`
  if (o.host === me.host && o.pid !== PID && !host.isAlive(o.pid)) return `process ${o.pid} is gone`
  if (now - o.heartbeat > staleAfterMs) return `its last heartbeat is ${Math.round((now - o.heartbeat) / 1000)} s old`
  return null
}

/** A web page or worker (no process id; the host a browser profile). */
const inBrowser = (o: LockOwner) => o.pid === 0 && o.host.startsWith('browser ')

const describeOwner = (o: LockOwner, me: LockOwner) => {
  const times = `since ${new Date(o.startedAt).toISOString()}, last seen ${new Date(o.heartbeat).toISOString()}`
  if (!inBrowser(o)) return `process ${o.pid}${o.thread > 0 ? ` (thread ${o.thread})` : ''} on host "${o.host}" (${times})`
  return o.host === me.host
    ? `a page or worker of this browser (another tab or window, or a worker; ${times})`
    : `a web page or worker in another browser or on another machine (${o.host}; ${times})`
}

const locked = (owner: LockOwner, me: LockOwner): CheckpointError => ({
  _tag: 'WriterLocked',
  key: LOCK_KEY,
  owner,
  message:
    `another writer holds this checkpoint folder: ${describeOwner(owner, me)}. ` +
    `${inBrowser(owner) ? 'One writer per folder: close that page or stop its training' : 'One writer process per folder: stop it'}, ` +
    'or open this folder as a reader (restoreLatest, the CLI, isChief: false)',
})

const failed = (doing: string) => (e: unknown) => fail(storageFailure(e, `${doing} the writer lock "${LOCK_KEY}"`, LOCK_KEY))

/** The lock as stored now, or null when there is none. */
const readLock = async (storage: Storage): Promise<{ readonly owner: LockOwner | null; readonly etag: string } | null> => {
  const info = await storage.stat(LOCK_KEY).catch(failed('cannot read'))
  if (info === null) return null
  try {
    return { owner: decode(await storage.read(LOCK_KEY)), etag: info.etag }
  } catch (e) {
    if (asStorageError(e)?._tag === 'NotFound') return null // released between the stat and the read
    return failed('cannot read')(e)
  }
}

/** The lock this process holds, per Storage object: Checkpointers of one process on one storage share it. */
interface Held {
  holders: number
  etag: string
  owner: LockOwner
  lastBeat: number
}
const held = new WeakMap<Storage, Held>()

/** Creates the lock exclusively, or takes over a dead owner's; resolves to this process's hold. */
const take = async (storage: Storage, log: (line: string) => void, staleAfterMs: number, ifMatch: boolean): Promise<Held> => {
  const me = await (identity ??= host.identify(INCARNATION))
  const now = Date.now()
  const owner: LockOwner = {
    host: me.name,
    pid: PID,
    thread: host.thread,
    incarnation: INCARNATION,
    processStart: PROCESS_START,
    startedAt: now,
    heartbeat: now,
    ...(me.alive !== null ? { alive: me.alive } : {}),
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const info = await storage.write(LOCK_KEY, encode(owner), { ifAbsent: true })
      return { holders: 0, etag: info.etag, owner, lastBeat: now }
    } catch (e) {
      if (asStorageError(e)?._tag !== 'AlreadyExists') return failed('cannot take')(e)
    }
    const current = await readLock(storage)
    if (current === null) continue // just released: create it again
    if (current.owner !== null && sameWriter(current.owner, owner))
      return { holders: 0, etag: current.etag, owner: current.owner, lastBeat: current.owner.heartbeat }
    // An owner of this host that holds a liveness marker (a page's Web Lock) is gone once the marker is released.
    const why =
      current.owner === null
        ? 'it is unreadable'
        : current.owner.alive !== undefined && current.owner.host === owner.host && (await host.isHeld(current.owner.alive)) === false
          ? 'its page or worker is gone'
          : deadOwner(current.owner, owner, Date.now(), staleAfterMs)
    if (why === null) return fail(locked(current.owner!, owner))
    log(
      `Warning: taking over the writer lock "${LOCK_KEY}" of ${current.owner === null ? 'an unknown writer' : describeOwner(current.owner, owner)}: ${why}`,
    )
    if (ifMatch) {
      // Replace exactly the version read: of two takers, one wins and the other sees the winner, alive.
      const info = await storage
        .write(LOCK_KEY, encode(owner), { ifMatch: current.etag })
        .catch((e: unknown) => (asStorageError(e)?._tag === 'PreconditionFailed' ? null : failed('cannot take over')(e)))
      if (info !== null) return { holders: 0, etag: info.etag, owner, lastBeat: now }
      continue
    }
    // Without conditional replace: remove the stale lock, create it exclusively, then look again a moment later;
    // a taker whose lock was replaced by another's lost, and finds that one alive at the next attempt.
    await storage.remove(LOCK_KEY).catch(failed('cannot take over'))
    const info = await storage
      .write(LOCK_KEY, encode(owner), { ifAbsent: true })
      .catch((e: unknown) => (asStorageError(e)?._tag === 'AlreadyExists' ? null : failed('cannot take over')(e)))
    if (info === null) continue
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100))
    const after = await readLock(storage)
    if (after?.owner != null && sameWriter(after.owner, owner)) return { holders: 0, etag: after.etag, owner, lastBeat: now }
  }
  const current = await readLock(storage)
  return current?.owner != null
    ? fail(locked(current.owner, owner))
    : fail({ _tag: 'Conflict', message: `the writer lock "${LOCK_KEY}" kept changing; nothing was written` })
}

/**
 * Takes the folder's writer lock: one writer process per folder. The lock file is created exclusively
 * (`ifAbsent`) and names its owner. A live owner elsewhere (another process, or another thread of this one)
 * makes this reject with `WriterLocked`, naming it; a dead one (gone from this host, an earlier process with
 * this pid, or silent for `staleAfterMs`) is taken over. Checkpointers of one process on one Storage share it.
 * Resolves to null, after a warning, on a storage that cannot create a file exclusively: there a second writer
 * cannot be detected.
 */
export const acquireWriterLock = async (
  storage: Storage,
  log: (line: string) => void,
  staleAfterMs: number,
): Promise<WriterLock | null> => {
  const caps = await storage.open()
  if (!caps.ifAbsent) {
    log(
      `Warning: ${storage.name} storage cannot create a file exclusively, so ckpt cannot detect a second writer on this folder; run one writer at a time`,
    )
    return null
  }
  let hold = held.get(storage)
  if (hold === undefined) {
    hold = await take(storage, log, staleAfterMs, caps.ifMatch)
    held.set(storage, hold)
  }
  hold.holders++
  const h = hold
  let released = false
  const refresh = async (): Promise<void> => {
    // Still ours? A writer silent for too long may have been taken over: it must stop, not write on.
    const current = await readLock(storage)
    if (current === null || current.owner === null || !sameWriter(current.owner, h.owner)) {
      if (held.get(storage) === h) held.delete(storage)
      return current?.owner != null
        ? fail(locked(current.owner, h.owner))
        : fail({ _tag: 'Conflict', message: `the writer lock "${LOCK_KEY}" of this writer is gone; nothing was written` })
    }
    h.etag = current.etag
    const t = Date.now()
    if (t - h.lastBeat < staleAfterMs / 4) return
    h.lastBeat = t
    const next = { ...h.owner, heartbeat: t }
    const info = await storage
      .write(LOCK_KEY, encode(next), caps.ifMatch ? { ifMatch: h.etag } : {})
      .catch((e: unknown) => (asStorageError(e)?._tag === 'PreconditionFailed' ? null : failed('cannot refresh')(e)))
    if (info === null) return refresh()
    h.owner = next
    h.etag = info.etag
  }
  return {
    get owner() {
      return h.owner
    },
    refresh,
    async release() {
      if (released) return
      released = true
      if (--h.holders > 0 || held.get(storage) !== h) return
      held.delete(storage)
      try {
        const current = await readLock(storage)
        if (current?.owner != null && sameWriter(current.owner, h.owner)) await storage.remove(LOCK_KEY)
      } catch (e) {
        log(`Warning: cannot release the writer lock: ${(e as Error).message}`)
      }
    },
  }
}
