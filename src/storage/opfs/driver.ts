import { browserFailure, reportedIn } from '../browser/failures.js'
import { checkCondition } from '../browser/conditions.js'
import type { FsDirectoryHandle, FsFileHandle, LockManagerLike } from '../browser/dom.js'
import { driverCalls } from '../calls.js'
import { chunksOf, clampRange } from '../data.js'
import { StorageFailure, fail, ioError, notFound, unsupported } from '../errors.js'
import { RESERVED_PREFIX, compareKeys } from '../keys.js'
import {
  memoiseOpen,
  type ByteRange,
  type Capabilities,
  type ObjectInfo,
  type StorageDriver,
  type WriteData,
  type WriteOptions,
} from '../storage.js'
import { fileAt, folderAt, isAbsent, orNull, pruneFolders, splitKey, walkFiles } from './folders.js'

export interface OpfsDriverOptions {
  /** The folder of the objects below the origin's OPFS root, as segments ([] for the root itself). */
  readonly dir: ReadonlyArray<string>
  /** The origin's OPFS root (`navigator.storage.getDirectory()`). */
  readonly root: () => Promise<FsDirectoryHandle>
  /** The origin's Web Locks, or `undefined` where there are none (then no conditional writes). */
  readonly locks: LockManagerLike | undefined
  /** At the first write, temp files older than this (crashed writers') are removed. */
  readonly staleTempAfterMs: number
  /** Bytes per chunk of `readStream`. */
  readonly streamChunkBytes: number
}

const ADAPTER = 'OPFS'
/** Held shared by every write and removal of the origin's OPFS storages, alone by pruning (see `sharingFolders`). */
const FOLDERS_LOCK = 'ckpt-opfs-folders'
/** How many times a whole read starts again when the file is replaced under it. */
const REREADS = 8
/** The longest a commit waits for the clock to pass the current file's time (see `commit`). */
const CLOCK_WAIT_MS = 1000

/** What reading a `File` snapshot throws once the file was replaced or removed (Chromium: either name). */
const isReplaced = (e: unknown): boolean => ['NotReadableError', 'NotFoundError'].includes((e as { name?: unknown } | null)?.name as string)

/** The etag of a file: its modification time (ms) and size, base 36. Commits keep the time strictly increasing per key. */
const etagOf = (file: File): string => `${file.lastModified.toString(36)}-${file.size.toString(36)}`
const infoOf = (file: File): ObjectInfo => ({ size: file.size, etag: etagOf(file) })

const tempName = (): string => {
  const random = crypto.getRandomValues(new Uint32Array(2))
  return `${RESERVED_PREFIX}tmp.${Date.now().toString(36)}.${random[0]!.toString(36)}${random[1]!.toString(36)}`
}

/** Writes `data` into `file` through a writable (Chromium writes a swap file and swaps it in at `close`). */
const writeInto = async (file: FsFileHandle, key: string, data: WriteData | Blob): Promise<void> => {
  const writable = await file.createWritable()
  try {
    if (data instanceof Blob) await writable.write(data)
    else for await (const chunk of chunksOf(key, data)) await writable.write(chunk)
  } catch (e) {
    await writable.abort().catch(() => undefined)
    throw e
  }
  await writable.close()
}

/**
 * Objects as files in the Origin Private File System, keys' `/` as folders. A write streams into a temp file
 * beside the target, then, holding the key's Web Lock, checks the condition and moves the temp file over the
 * target: a reader sees the old file or the new one.
 */
export const opfsDriver = (options: OpfsDriverOptions): StorageDriver => {
  const { locks } = options
  const capabilities: Capabilities = { ifAbsent: locks !== undefined, ifMatch: locks !== undefined }
  /** The objects' folder; `null` while it does not exist (nothing was written yet): reads create nothing. */
  const baseIfAny = async (): Promise<FsDirectoryHandle | null> => folderAt(await options.root(), options.dir, false)
  const connect = memoiseOpen(options.root)
  const base = memoiseOpen(async () => (await folderAt(await options.root(), options.dir, true))!)
  const open = memoiseOpen(async () => {
    await sweepTemps(await base(), Date.now() - options.staleTempAfterMs)
    return capabilities
  })
  const { keyed, written: writtenAlone, ranged, listed } = driverCalls({ connect, open }, undefined, reportedIn(ADAPTER))
  const lockName = (key: string) => `ckpt-opfs:${[...options.dir, key].join('/')}`
  /** Runs `f` holding the key's lock (every commit and removal of the key takes it), or as is without Web Locks. */
  const locked = <A>(key: string, f: () => Promise<A>): Promise<A> => (locks === undefined ? f() : locks.request(lockName(key), f))
  /**
   * Chromium locks a folder's whole subtree while `removeEntry` tries to remove it, failing any write or removal
   * inside meanwhile: writes and removals hold the origin's folder lock shared, and pruning runs only when it can
   * hold it alone (else the empty folders stay until a later removal prunes them).
   */
  const sharingFolders = <A>(f: () => Promise<A>): Promise<A> =>
    locks === undefined ? f() : locks.request(FOLDERS_LOCK, { mode: 'shared' }, f)
  const pruneAlone = (root: FsDirectoryHandle, folders: ReadonlyArray<string>): Promise<void> =>
    locks === undefined
      ? pruneFolders(root, folders)
      : locks.request(FOLDERS_LOCK, { ifAvailable: true }, async (lock) => (lock === null ? undefined : pruneFolders(root, folders)))
  const written = <A>(key: string, what: string, f: (key: string) => Promise<A>): Promise<A> =>
    writtenAlone(key, what, (k) => sharingFolders(() => f(k)))

  const fileOf = async (key: string): Promise<File | null> => {
    const folder = await baseIfAny()
    if (folder === null) return null
    const handle = await fileAt(folder, key)
    return handle === null ? null : orNull(() => handle.getFile())
  }

  /**
   * Moves the temp file over `name` so that the etag (time and size) changes. A temp file not later than the
   * current file (written in the same millisecond, or before a concurrent commit) is copied once the clock has
   * passed the current file's time, until a copy's time is later (file times may lag the clock by a tick): versions'
   * times increase. A clock set back (NTP, a restored VM) would hold the key's lock until it caught up: it is waited
   * for at most {@link CLOCK_WAIT_MS}, then a time other than the current file's is enough. `temps` gets the name of
   * each copy made, for the caller's cleanup.
   */
  const commit = async (
    folder: FsDirectoryHandle,
    temp: FsFileHandle,
    name: string,
    current: File | null,
    temps: string[],
    key: string,
  ): Promise<File> => {
    let source = temp
    if (current !== null) {
      const deadline = performance.now() + CLOCK_WAIT_MS
      for (let modified = (await temp.getFile()).lastModified; modified <= current.lastModified;) {
        const behind = current.lastModified - Date.now()
        const late = performance.now() >= deadline
        if (modified !== current.lastModified && (late || behind > CLOCK_WAIT_MS)) break
        if (behind >= 0 && behind <= CLOCK_WAIT_MS && !late) {
          await new Promise((resolve) => setTimeout(resolve, 1))
          continue
        }
        const copy = await folder.getFileHandle(tempName(), { create: true })
        temps.push(copy.name)
        await writeInto(copy, key, await source.getFile())
        await folder.removeEntry(source.name).catch(() => undefined) // not moved: still its temp name
        source = copy
        modified = (await copy.getFile()).lastModified
      }
    }
    await source.move(folder, name)
    return (await folder.getFileHandle(name)).getFile()
  }

  return {
    name: 'opfs',
    capabilities,
    open,

    write: (key: string, data: WriteData, writeOptions?: WriteOptions): Promise<ObjectInfo> =>
      written(key, 'write', async (k) => {
        const conditional = writeOptions?.ifAbsent === true || writeOptions?.ifMatch !== undefined
        if (conditional) {
          if (locks === undefined) fail(noLocks(k))
          const current = await fileOf(k)
          checkCondition(k, current === null ? undefined : etagOf(current), writeOptions) // fail before taking the bytes
        }
        const { folders, name } = splitKey(k)
        // A concurrent removal may prune an empty folder between its creation and the temp file's: try again.
        const place = async (attempt = 0): Promise<{ folder: FsDirectoryHandle; temp: FsFileHandle }> => {
          const folder = await folderAt(await base(), folders, true)
          // Not made: a folder on the way was pruned meanwhile, or is a file.
          if (folder === null) return attempt < 3 ? place(attempt + 1) : fail(folderConflict(k))
          try {
            return { folder, temp: await folder.getFileHandle(tempName(), { create: true }) }
          } catch (e) {
            if (attempt < 3 && isAbsent(e)) return place(attempt + 1)
            throw e
          }
        }
        const { folder, temp } = await place()
        // The temp files this write made, by the names they were made with: a handle moved into place takes the
        // key's name, and removing by it would remove the object just committed.
        const temps = [temp.name]
        try {
          await writeInto(temp, k, data)
          return await locked(k, async () => {
            const current = await orNull(async () => (await folder.getFileHandle(name)).getFile())
            if (current === null && (await orNull(() => folder.getDirectoryHandle(name))) !== null) fail(folderConflict(k))
            checkCondition(k, current === null ? undefined : etagOf(current), writeOptions)
            return infoOf(await commit(folder, temp, name, current, temps, k))
          })
        } catch (e) {
          await Promise.all(temps.map((t) => folder.removeEntry(t).catch(() => undefined)))
          throw e
        }
      }),

    read: (key: string, range?: ByteRange): Promise<Uint8Array> =>
      ranged(key, range, 'read', async (k, r) => {
        // A file replaced between `getFile` and the read fails that read (NotReadableError): read the new one.
        for (let attempt = 0; ; attempt++) {
          const file = (await fileOf(k)) ?? fail(notFound(k))
          const { start, end } = clampRange(r, file.size)
          try {
            return new Uint8Array(await file.slice(start, end).arrayBuffer())
          } catch (e) {
            if (!isReplaced(e) || attempt === REREADS) throw e
          }
        }
      }),

    readStream: (key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> =>
      ranged(key, range, 'readStream', async (k, r) => {
        const file = (await fileOf(k)) ?? fail(notFound(k))
        const { start, end } = clampRange(r, file.size)
        const step = options.streamChunkBytes
        return (async function* () {
          for (let at = start; at < end; at += step) {
            let chunk: ArrayBuffer
            try {
              // A File is a snapshot: once the file is replaced, reading it fails (NotReadableError), never mixes versions.
              chunk = await file.slice(at, Math.min(at + step, end)).arrayBuffer()
            } catch (e) {
              throw isReplaced(e)
                ? new StorageFailure(
                    ioError(k, `OPFS readStream of key "${k}" failed: the file was replaced or removed while it was being read`, e),
                  )
                : browserFailure(k, 'readStream', ADAPTER)(e)
            }
            yield new Uint8Array(chunk)
          }
        })()
      }),

    list: (prefix?: string): Promise<ReadonlyArray<string>> =>
      listed(prefix, async (p) => {
        const folder = await baseIfAny()
        const start = folder === null ? null : await folderAt(folder, p.folder === '' ? [] : p.folder.split('/'), false)
        if (start === null) return []
        const keys: string[] = []
        for await (const { key } of walkFiles(start, p.folder)) if (key.startsWith(p.prefix)) keys.push(key)
        return keys.sort(compareKeys)
      }),

    remove: (key: string): Promise<void> =>
      keyed(key, 'remove', async (k) => {
        const root = await baseIfAny()
        if (root === null) return
        const { folders, name } = splitKey(k)
        const folder = await folderAt(root, folders, false)
        if (folder === null) return
        // A folder of other keys is no object: nothing to remove (`getFileHandle` fails on it).
        const removeFile = async () => (await folder.getFileHandle(name), await folder.removeEntry(name))
        const removed = await sharingFolders(() => locked(k, async () => (await orNull(removeFile)) !== null))
        if (removed) await pruneAlone(root, folders)
      }),

    stat: (key: string): Promise<ObjectInfo | null> =>
      keyed(key, 'stat', async (k) => {
        const file = await fileOf(k)
        return file === null ? null : infoOf(file)
      }),
  }
}

const folderConflict = (key: string) =>
  unsupported(
    key,
    `key "${key}" cannot be stored by OPFS: a part of its folder path is an object, or the key is a folder of other keys (OPFS, a file system, cannot hold both "a" and "a/b")`,
  )

const noLocks = (key: string) =>
  unsupported(
    key,
    `OPFS conditional write of key "${key}" refused: this context has no Web Locks (navigator.locks), which the conditions need`,
  )

/** Removes temp files last modified before `before`: writes that crashed (a tab closed) before their commit. */
const sweepTemps = async (base: FsDirectoryHandle, before: number): Promise<void> => {
  for await (const { file, folder } of walkFiles(base, '', true)) {
    const modified = (await orNull(() => file.getFile()))?.lastModified
    if (modified !== undefined && modified < before) await folder.removeEntry(file.name).catch(() => undefined)
  }
}
