import { hostname } from 'node:os'
import { asStorageError } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'
import { fail, storageFailure } from './errors.js'
import type { LockOwner } from './lock-owner.js'

/** The lock file at the folder's root, beside the index. */
export const LOCK_KEY = 'ckpt-writer.lock'

export interface WriterLock {
  readonly owner: LockOwner
  /** Shows the owner is alive; at most once a `staleAfterMs / 4`. Never rejects. */
  refresh(): Promise<void>
  /** Removes the lock if it is still this process's. Never rejects. */
  release(): Promise<void>
}

const INCARNATION = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
const PID = typeof process === 'object' && typeof process.pid === 'number' ? process.pid : 0
const HOST = (() => {
  try {
    return hostname()
  } catch {
    return 'unknown-host'
  }
})()

const encode = (o: LockOwner) => new TextEncoder().encode(`${JSON.stringify(o)}\n`)

const decode = (bytes: Uint8Array): LockOwner | null => {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockOwner>
    return typeof o.host === 'string' && typeof o.pid === 'number' && typeof o.incarnation === 'string' && typeof o.heartbeat === 'number'
      ? {
          host: o.host,
          pid: o.pid,
          incarnation: o.incarnation,
          startedAt: typeof o.startedAt === 'number' ? o.startedAt : 0,
          heartbeat: o.heartbeat,
        }
      : null
  } catch {
    return null
  }
}

const isThisProcess = (o: LockOwner) => o.host === HOST && o.pid === PID && o.incarnation === INCARNATION

/** Whether a process on this host is alive: `kill(pid, 0)` fails with ESRCH only when there is none. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'
  }
}

/** Why `o` no longer holds the lock, or null when it may: a dead process on this host, or a heartbeat too old. */
const deadOwner = (o: LockOwner, now: number, staleAfterMs: number): string | null => {
  if (o.host === HOST && o.pid === PID && o.incarnation !== INCARNATION) return `process ${o.pid} was restarted`
  if (o.host === HOST && o.pid !== PID && !alive(o.pid)) return `process ${o.pid} is gone`
  if (now - o.heartbeat > staleAfterMs) return `its last heartbeat is ${Math.round((now - o.heartbeat) / 1000)} s old`
  return null
}

const describeOwner = (o: LockOwner) =>
  `process ${o.pid} on host "${o.host}" (since ${new Date(o.startedAt).toISOString()}, last seen ${new Date(o.heartbeat).toISOString()})`

/**
 * Takes the folder's writer lock: one writer process per folder. The lock file is created exclusively
 * (`ifAbsent`) and names its owner. A live owner in another process makes this reject with `WriterLocked`,
 * naming it; a dead one (gone on this host, or silent for `staleAfterMs`) is taken over. Within one process
 * the lock is shared: a second Checkpointer of the same process on the same folder reuses it.
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
  const failed = (doing: string) => (e: unknown) => fail(storageFailure(e, `${doing} the writer lock "${LOCK_KEY}"`, LOCK_KEY))
  const now = Date.now()
  let owner: LockOwner = { host: HOST, pid: PID, incarnation: INCARNATION, startedAt: now, heartbeat: now }
  for (let attempt = 0; ; attempt++) {
    try {
      await storage.write(LOCK_KEY, encode(owner), { ifAbsent: true })
      break
    } catch (e) {
      if (asStorageError(e)?._tag !== 'AlreadyExists' || attempt >= 3) return failed('cannot take')(e)
    }
    const info = await storage.stat(LOCK_KEY).catch(failed('cannot read'))
    const current = info === null ? null : decode(await storage.read(LOCK_KEY).catch(failed('cannot read')))
    if (current !== null && isThisProcess(current)) {
      owner = current
      break
    }
    const why =
      current === null ? (info === null ? 'it was just released' : 'it is unreadable') : deadOwner(current, Date.now(), staleAfterMs)
    if (why === null)
      return fail({
        _tag: 'WriterLocked',
        key: LOCK_KEY,
        owner: current!,
        message: `another writer holds this checkpoint folder: ${describeOwner(current!)}. One writer process per folder: stop it, or open this folder as a reader (restoreLatest, the CLI, isChief: false)`,
      })
    if (info !== null) {
      log(
        `Warning: taking over the writer lock "${LOCK_KEY}" of ${current === null ? 'an unknown writer' : describeOwner(current)}: ${why}`,
      )
      // Replace exactly the version read, where the storage can; another taker then loses and retries.
      const replaced = await storage
        .write(LOCK_KEY, encode(owner), caps.ifMatch ? { ifMatch: info.etag } : {})
        .then(() => true)
        .catch((e: unknown) => (asStorageError(e)?._tag === 'PreconditionFailed' ? false : failed('cannot take over')(e)))
      if (replaced) break
    }
  }
  let lastBeat = owner.heartbeat
  return {
    owner,
    async refresh() {
      const t = Date.now()
      if (t - lastBeat < staleAfterMs / 4) return
      lastBeat = t
      owner = { ...owner, heartbeat: t }
      await storage
        .write(LOCK_KEY, encode(owner))
        .catch((e: unknown) => log(`Warning: cannot refresh the writer lock: ${(e as Error).message}`))
    },
    async release() {
      try {
        const bytes = await storage.read(LOCK_KEY)
        const current = decode(bytes)
        if (current !== null && isThisProcess(current)) await storage.remove(LOCK_KEY)
      } catch (e) {
        if (asStorageError(e)?._tag !== 'NotFound') log(`Warning: cannot release the writer lock: ${(e as Error).message}`)
      }
    },
  }
}
