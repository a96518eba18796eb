import { randomBytes } from 'node:crypto'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { allocate, checkRange, chunksOf, clampRange } from './data.js'
import {
  StorageFailure,
  alreadyExists,
  ioError,
  notFound,
  preconditionFailed,
  toStorageError,
  unsupported,
  type StorageError,
} from './errors.js'
import { errorCode, type FsFileHandle, type FsModule, type FsStats, type PathModule } from './fs-module.js'
import { RESERVED_PREFIX, compareKeys, keyProblem, validateKey, validatePrefix } from './keys.js'
import { memoiseOpen, type ByteRange, type Capabilities, type ObjectInfo, type StorageDriver, type WriteData, type WriteOptions } from './storage.js'

/** Temp files are `.ckpt~tmp.<pid>.<random>`, in the folder of the key they will become. */
const TEMP_PREFIX = `${RESERVED_PREFIX}tmp.`
// `.ckpt~tmp.<pid>.<incarnation>.<random>`: the incarnation tells this process from an earlier one that had the
// same pid (a restarted container's pid 1), whose temp files are a crashed writer's.
const TEMP_NAME = /^\.ckpt~tmp\.(\d+)\.([0-9a-f]+)\.[0-9a-f]+$/
const INCARNATION = randomBytes(4).toString('hex')

export interface FsDriverOptions {
  /** The file system: `node:fs/promises`, a memfs volume's `promises`, or a wrapper of either. */
  readonly fs: FsModule
  /** The path functions matching `fs`. */
  readonly path: PathModule
  /** The folder that holds the objects; created (with parents) on open. */
  readonly root: string
  /** The adapter's name in errors and `storage.name`. */
  readonly name: string
  /** fsync each file before its rename and the folder after it. Default true. */
  readonly fsync?: boolean
  /** Remove temp files left by crashed writers when opening. Default true. */
  readonly sweepOnOpen?: boolean
  /**
   * A temp file older than this is swept even if its writer's pid is alive (pids are reused, and writers on
   * other hosts are invisible). Default 3_600_000 (1 hour).
   */
  readonly staleTempAfterMs?: number
  /** Chunk size of `readStream`. Default 1 MiB. */
  readonly readChunkBytes?: number
  /** Whether a process id is running on this host. Default: `process.kill(pid, 0)`. */
  readonly isProcessAlive?: (pid: number) => boolean
}

const defaultIsProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errorCode(e) === 'EPERM'
  }
}

const etagOf = (st: FsStats): string => `${st.ino.toString(36)}-${st.size.toString(36)}-${st.mtimeNs.toString(36)}`
const infoOf = (st: FsStats): ObjectInfo => ({ size: Number(st.size), etag: etagOf(st) })

const MISSING = new Set(['ENOENT', 'ENOTDIR'])
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

/** Throws the storage error as a `StorageFailure` (inside the async implementation; turned back into a value at the edge). */
const fail = (error: StorageError): never => {
  throw new StorageFailure(error)
}

/** An fs error as a typed `IOError` naming the operation, the key and the code. */
const fsFailure = (key: string, op: string, e: unknown): StorageFailure =>
  e instanceof StorageFailure ? e : new StorageFailure(ioError(key, `${op} failed for key "${key}": ${errorCode(e) ?? ''} ${e instanceof Error ? e.message : String(e)}`.trim(), e))

/** A per-key mutex: commits (and removes) of one key through one driver run one at a time. */
const keyLocks = () => {
  const tails = new Map<string, Promise<void>>()
  return async <A>(key: string, f: () => Promise<A>): Promise<A> => {
    const before = tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((r) => (release = r))
    const tail = before.then(() => mine)
    tails.set(key, tail)
    await before
    try {
      return await f()
    } finally {
      release()
      if (tails.get(key) === tail) tails.delete(key)
    }
  }
}

/**
 * The fs adapter's driver over any `FsModule`: atomic writes by temp file + fsync + rename + folder fsync,
 * `ifAbsent` by `link` (atomic create-no-replace), `ifMatch` by compare-and-rename under a per-key lock.
 */
export const fsDriver = (options: FsDriverOptions): StorageDriver => {
  const { fs, path, name } = options
  const root = options.root
  const durable = options.fsync ?? true
  const staleAfterMs = options.staleTempAfterMs ?? 3_600_000
  const readChunk = options.readChunkBytes ?? 1024 * 1024
  const isAlive = options.isProcessAlive ?? defaultIsProcessAlive
  const withLock = keyLocks()
  let capabilities: Capabilities = { ifAbsent: true, ifMatch: true }

  const fileOf = (key: string): string => path.join(root, ...key.split('/'))
  const tempIn = (folder: string): string => path.join(folder, `${TEMP_PREFIX}${process.pid}.${INCARNATION}.${randomBytes(8).toString('hex')}`)

  const syncFolder = async (key: string, folder: string): Promise<void> => {
    if (!durable) return
    let handle: FsFileHandle
    try {
      handle = await fs.open(folder, 'r')
    } catch (e) {
      throw fsFailure(key, `opening folder ${folder} for fsync`, e)
    }
    try {
      await handle.sync()
    } catch (e) {
      // Some platforms cannot fsync a folder (EISDIR, EINVAL); the rename is then as durable as the platform allows.
      if (!['EISDIR', 'EINVAL', 'EBADF', 'EPERM'].includes(errorCode(e) ?? '')) throw fsFailure(key, `fsync of folder ${folder}`, e)
    } finally {
      await handle.close().catch(() => undefined)
    }
  }

  const conflict = (key: string, e: unknown): StorageFailure =>
    new StorageFailure(
      unsupported(key, `key "${key}" cannot be stored by ${name}: a part of its folder path is an object, or the key is a folder of other keys (a file system cannot hold both "a" and "a/b"); cause: ${errorCode(e) ?? String(e)}`),
    )

  const makeFolder = async (key: string, folder: string): Promise<void> => {
    try {
      await fs.mkdir(folder, { recursive: true })
    } catch (e) {
      if (errorCode(e) === 'ENOTDIR' || errorCode(e) === 'EEXIST') throw conflict(key, e)
      throw fsFailure(key, `creating folder ${folder}`, e)
    }
  }

  /** Creates the temp file next to `target`; the folder is (re)made if a concurrent remove pruned it. */
  const createTemp = async (key: string, folder: string): Promise<{ temp: string; handle: FsFileHandle }> => {
    for (let attempt = 0; ; attempt++) {
      await makeFolder(key, folder)
      const temp = tempIn(folder)
      try {
        return { temp, handle: await fs.open(temp, 'wx', 0o666) }
      } catch (e) {
        if (errorCode(e) === 'ENOENT' && attempt < 3) continue
        if (errorCode(e) === 'ENOTDIR') throw conflict(key, e)
        throw fsFailure(key, `creating temp file in ${folder}`, e)
      }
    }
  }

  const writeAll = async (key: string, handle: FsFileHandle, data: WriteData): Promise<void> => {
    for await (const chunk of chunksOf(key, data)) {
      let offset = 0
      while (offset < chunk.byteLength) {
        let written: number
        try {
          written = (await handle.write(chunk, offset, chunk.byteLength - offset, null)).bytesWritten
        } catch (e) {
          throw fsFailure(key, 'writing temp file', e)
        }
        if (written <= 0) throw fsFailure(key, 'writing temp file', new Error('write wrote 0 bytes'))
        offset += written
      }
    }
  }

  const statOrNull = async (key: string, file: string): Promise<FsStats | null> => {
    try {
      return await fs.stat(file, { bigint: true })
    } catch (e) {
      if (MISSING.has(errorCode(e) ?? '')) return null
      throw fsFailure(key, 'stat', e)
    }
  }

  /** Moves the finished temp file into place, honouring the write's condition. */
  const commit = (key: string, temp: string, target: string, options: WriteOptions | undefined): Promise<void> =>
    withLock(key, async () => {
      if (options?.ifAbsent === true) {
        try {
          await fs.link(temp, target)
        } catch (e) {
          if (errorCode(e) === 'EEXIST') {
            const existing = await statOrNull(key, target)
            throw existing?.isDirectory() === true ? conflict(key, e) : new StorageFailure(alreadyExists(key))
          }
          if (NO_LINKS.has(errorCode(e) ?? '')) {
            capabilities = { ...capabilities, ifAbsent: false }
            throw new StorageFailure(unsupported(key, `${name} cannot honour ifAbsent for key "${key}": the file system has no hard links (${errorCode(e)})`))
          }
          throw fsFailure(key, 'link (create-if-absent)', e)
        }
        await fs.unlink(temp).catch(() => undefined)
        return
      }
      const current = await statOrNull(key, target)
      if (current?.isDirectory() === true) throw conflict(key, new Error('EISDIR'))
      if (options?.ifMatch !== undefined) {
        if (current === null) fail(preconditionFailed(key, `ifMatch "${options.ifMatch}" failed for key "${key}": the key does not exist`))
        else if (etagOf(current) !== options.ifMatch)
          fail(preconditionFailed(key, `ifMatch failed for key "${key}": current etag is "${etagOf(current)}", expected "${options.ifMatch}"`))
      }
      try {
        await fs.rename(temp, target)
      } catch (e) {
        if (errorCode(e) === 'EISDIR' || errorCode(e) === 'ENOTEMPTY') throw conflict(key, e)
        throw fsFailure(key, 'rename of temp file over the target', e)
      }
    })

  const sweepTemps = async (folder: string): Promise<void> => {
    let entries
    try {
      entries = await fs.readdir(folder, { withFileTypes: true })
    } catch {
      return
    }
    const now = Date.now()
    for (const entry of entries) {
      const entryName = entry.name.toString()
      const full = path.join(folder, entryName)
      if (entry.isDirectory()) {
        await sweepTemps(full)
        continue
      }
      const match = TEMP_NAME.exec(entryName)
      if (!match || !entry.isFile()) continue
      const pid = Number(match[1])
      const writerGone = pid === process.pid ? match[2] !== INCARNATION : !isAlive(pid)
      const st = writerGone ? null : await fs.stat(full, { bigint: true }).catch(() => null)
      const stale = st !== null && now - Number(st.mtimeMs) >= staleAfterMs
      if (writerGone || stale) await fs.unlink(full).catch(() => undefined)
    }
  }

  /** Whether this file system can make hard links (for `ifAbsent`). */
  const probeLinks = async (): Promise<boolean> => {
    const a = tempIn(root)
    const b = tempIn(root)
    const handle = await fs.open(a, 'wx', 0o666)
    await handle.close()
    try {
      await fs.link(a, b)
      return true
    } catch (e) {
      if (NO_LINKS.has(errorCode(e) ?? '')) return false
      throw e
    } finally {
      await fs.unlink(a).catch(() => undefined)
      await fs.unlink(b).catch(() => undefined)
    }
  }

  const open = memoiseOpen(
    TE.tryCatch(async () => {
      try {
        await fs.mkdir(root, { recursive: true })
        if (options.sweepOnOpen ?? true) await sweepTemps(root)
        capabilities = { ...capabilities, ifAbsent: await probeLinks() }
        return capabilities
      } catch (e) {
        throw fsFailure('', `opening ${name} at ${root}`, e)
      }
    }, toStorageError('', `opening ${name}`)),
  )

  /** Validates the key, opens the storage, then runs `f`, turning anything thrown into a typed error. */
  const keyed = <A>(key: string, what: string, f: (key: string) => Promise<A>): TE.TaskEither<StorageError, A> =>
    pipe(
      TE.fromEither(validateKey(key)),
      TE.chainFirst(() => open),
      TE.chain((k) => TE.tryCatch(() => f(k), toStorageError(k, what))),
    )

  const write = (key: string, data: WriteData, options?: WriteOptions): TE.TaskEither<StorageError, ObjectInfo> =>
    keyed(key, 'write', async (k) => {
      if (options?.ifAbsent === true && options.ifMatch !== undefined) fail(unsupported(k, `write of key "${k}": ifAbsent and ifMatch cannot be combined`))
      if (options?.ifAbsent === true && !capabilities.ifAbsent) fail(unsupported(k, `${name} cannot honour ifAbsent for key "${k}": the file system has no hard links`))
      const target = fileOf(k)
      const folder = path.dirname(target)
      const { temp, handle } = await createTemp(k, folder)
      let closed = false
      try {
        await writeAll(k, handle, data)
        if (durable) await handle.sync().catch((e) => Promise.reject(fsFailure(k, 'fsync of temp file', e)))
        const st = await handle.stat({ bigint: true }).catch((e) => Promise.reject(fsFailure(k, 'fstat of temp file', e)))
        closed = true
        await handle.close().catch((e) => Promise.reject(fsFailure(k, 'closing temp file', e)))
        await commit(k, temp, target, options)
        await syncFolder(k, folder)
        return infoOf(st)
      } catch (e) {
        if (!closed) await handle.close().catch(() => undefined)
        await fs.unlink(temp).catch(() => undefined)
        throw e
      }
    })

  /** Opens the object for reading; a missing key (or a folder) is `NotFound`. */
  const openObject = async (key: string): Promise<{ handle: FsFileHandle; size: number }> => {
    let handle: FsFileHandle
    try {
      handle = await fs.open(fileOf(key), 'r')
    } catch (e) {
      if (MISSING.has(errorCode(e) ?? '') || errorCode(e) === 'EISDIR') fail(notFound(key))
      throw fsFailure(key, 'open for read', e)
    }
    try {
      const st = await handle!.stat({ bigint: true })
      if (!st.isFile()) fail(notFound(key))
      return { handle: handle!, size: Number(st.size) }
    } catch (e) {
      await handle!.close().catch(() => undefined)
      throw fsFailure(key, 'fstat for read', e)
    }
  }

  const readInto = async (key: string, handle: FsFileHandle, buffer: Uint8Array, position: number): Promise<number> => {
    let filled = 0
    while (filled < buffer.byteLength) {
      let got: number
      try {
        got = (await handle.read(buffer, filled, buffer.byteLength - filled, position + filled)).bytesRead
      } catch (e) {
        throw fsFailure(key, 'read', e)
      }
      if (got === 0) break
      filled += got
    }
    return filled
  }

  const read = (key: string, range?: ByteRange): TE.TaskEither<StorageError, Uint8Array> =>
    pipe(
      TE.fromEither(checkRange(key, range)),
      TE.chain((r) =>
        keyed(key, 'read', async (k) => {
          const { handle, size } = await openObject(k)
          try {
            const { start, end } = clampRange(r, size)
            const buffer = allocate(end - start)
            const filled = await readInto(k, handle, buffer, start)
            return filled === buffer.byteLength ? buffer : buffer.subarray(0, filled)
          } finally {
            await handle.close().catch(() => undefined)
          }
        }),
      ),
    )

  const readStream = (key: string, range?: ByteRange): TE.TaskEither<StorageError, AsyncIterable<Uint8Array>> =>
    pipe(
      TE.fromEither(checkRange(key, range)),
      TE.chain((r) =>
        keyed(key, 'readStream', async (k) => {
          const { handle, size } = await openObject(k)
          const { start, end } = clampRange(r, size)
          async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
            try {
              for (let at = start; at < end; ) {
                const buffer = allocate(Math.min(readChunk, end - at))
                const filled = await readInto(k, handle, buffer, at)
                if (filled === 0) return
                yield filled === buffer.byteLength ? buffer : buffer.subarray(0, filled)
                at += filled
              }
            } finally {
              await handle.close().catch(() => undefined)
            }
          }
          return chunks()
        }),
      ),
    )

  const walk = async (folder: string, relative: string, out: string[]): Promise<void> => {
    let entries
    try {
      entries = await fs.readdir(folder, { withFileTypes: true })
    } catch (e) {
      if (MISSING.has(errorCode(e) ?? '')) return
      throw e
    }
    for (const entry of entries) {
      const entryName = entry.name.toString()
      if (entryName.startsWith(RESERVED_PREFIX)) continue
      const key = relative === '' ? entryName : `${relative}/${entryName}`
      if (entry.isDirectory()) await walk(path.join(folder, entryName), key, out)
      else if (entry.isFile() && keyProblem(key) === null) out.push(key)
    }
  }

  const list = (prefix?: string): TE.TaskEither<StorageError, ReadonlyArray<string>> =>
    pipe(
      TE.fromEither(validatePrefix(prefix)),
      TE.chainFirst(() => open),
      TE.chain((p) =>
        TE.tryCatch(
          async () => {
            const out: string[] = []
            try {
              await walk(p.folder === '' ? root : fileOf(p.folder), p.folder, out)
            } catch (e) {
              throw fsFailure(p.prefix, 'list', e)
            }
            return out.filter((k) => k.startsWith(p.prefix)).sort(compareKeys)
          },
          toStorageError(p.prefix, 'list'),
        ),
      ),
    )

  /** Removes now-empty folders from `folder` up to (not including) the root. */
  const pruneFolders = async (folder: string): Promise<void> => {
    const top = path.resolve(root)
    for (let f = folder; path.resolve(f) !== top && path.resolve(f).startsWith(top); f = path.dirname(f)) {
      try {
        await fs.rmdir(f)
      } catch {
        return
      }
    }
  }

  const remove = (key: string): TE.TaskEither<StorageError, void> =>
    keyed(key, 'remove', (k) =>
      withLock(k, async () => {
        const target = fileOf(k)
        try {
          await fs.unlink(target)
        } catch (e) {
          const code = errorCode(e) ?? ''
          if (MISSING.has(code)) return
          if ((code === 'EISDIR' || code === 'EPERM') && (await statOrNull(k, target))?.isDirectory() === true) return
          throw fsFailure(k, 'unlink', e)
        }
        await syncFolder(k, path.dirname(target))
        await pruneFolders(path.dirname(target))
      }),
    )

  const stat = (key: string): TE.TaskEither<StorageError, ObjectInfo | null> =>
    keyed(key, 'stat', async (k) => {
      const st = await statOrNull(k, fileOf(k))
      return st === null || !st.isFile() ? null : infoOf(st)
    })

  return {
    name,
    get capabilities() {
      return capabilities
    },
    open: () => open,
    write,
    read,
    readStream,
    list,
    remove,
    stat,
  }
}

/** Exposed for tests: this process's incarnation token in its temp-file names. */
export const TEMP_INCARNATION = INCARNATION

/** Exposed for tests: whether a file name is one of the adapter's temp files. */
export const isTempName = (fileName: string): boolean => TEMP_NAME.test(fileName)

