import { driverCalls, reported } from '../calls.js'
import {
  memoiseOpen,
  type ByteRange,
  type Capabilities,
  type ObjectInfo,
  type StorageDriver,
  type WriteData,
  type WriteOptions,
} from '../storage.js'
import { fail, ioError } from '../errors.js'
import { fileOf, type FsContext } from './context.js'
import { fsFailure, hasCode, MISSING, READ_ONLY } from './failures.js'
import { pruneFolders, symlinkOnPath, syncFolder } from './folders.js'
import { errorCode, type FsModule, type PathModule } from './fs-module.js'
import { probeLinks } from './links.js'
import { keyLocks } from './lock.js'
import { readObject, readObjectInto, streamObject } from './read.js'
import { infoOf, statOrNull } from './stats.js'
import { defaultIsProcessAlive, sweepTemps } from './temp.js'
import { listKeys } from './walk.js'
import { writeObject } from './write.js'

export interface FsDriverOptions {
  /** The file system: `node:fs/promises`, a memfs volume's `promises`, or a wrapper of either. */
  readonly fs: FsModule
  /** The path functions matching `fs`. */
  readonly path: PathModule
  /** The folder that holds the objects; created (with parents) by the first write. */
  readonly root: string
  /** The adapter's name in errors and `storage.name`. */
  readonly name: string
  /** fsync each file before its rename and the folder after it. Default true. */
  readonly fsync?: boolean
  /** Remove temp files left by crashed writers at the first write (the writer's opening). Default true. */
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

/**
 * The fs adapter's driver over any `FsModule`: atomic writes by temp file + fsync + rename + folder fsync,
 * `ifAbsent` by `link` (atomic create-no-replace), `ifMatch` by compare-and-rename under a per-key lock.
 */
export const fsDriver = (options: FsDriverOptions): StorageDriver => {
  const ctx: FsContext = { fs: options.fs, path: options.path, root: options.root, name: options.name, durable: options.fsync ?? true }
  const { fs, path, root, name } = ctx
  const sweep = { staleAfterMs: options.staleTempAfterMs ?? 3_600_000, isAlive: options.isProcessAlive ?? defaultIsProcessAlive }
  const readChunk = options.readChunkBytes ?? 1024 * 1024
  const withLock = keyLocks()
  let capabilities: Capabilities = { ifAbsent: true, ifMatch: true }
  const writer = {
    withLock,
    capabilities: () => capabilities,
    onNoLinks: () => {
      capabilities = { ...capabilities, ifAbsent: false }
    },
  }

  // Reading needs no opening but a look at the root: a missing one holds nothing, a file there is an error.
  const connect = memoiseOpen(() =>
    reported('', `opening ${name}`, async () => {
      const st = await statOrNull(ctx, '', root)
      if (st !== null && !st.isDirectory()) fail(ioError('', `${name}: ${root} is not a folder`, null))
    }),
  )
  // The writer's opening, at the first write: readers never create, sweep or probe anything.
  const open = memoiseOpen(() =>
    reported('', `opening ${name}`, async () => {
      await connect()
      try {
        await fs.mkdir(root, { recursive: true })
        if (options.sweepOnOpen ?? true) await sweepTemps(ctx, root, sweep)
        // A folder that refuses the probe (read-only, no permission) has no ifAbsent: its writes fail on their own.
        const links = await probeLinks(ctx).catch((e: unknown) => {
          if (hasCode(READ_ONLY, e)) return false
          throw e
        })
        capabilities = { ...capabilities, ifAbsent: links }
        return capabilities
      } catch (e) {
        throw fsFailure('', `opening ${name} at ${root}`, e)
      }
    }),
  )
  const { keyed, written, ranged, listed } = driverCalls({ connect, open })

  const remove = (key: string): Promise<void> =>
    keyed(key, 'remove', (k) =>
      withLock(k, async () => {
        const target = fileOf(ctx, k)
        const link = await symlinkOnPath(ctx, path.dirname(target))
        if (link !== null)
          throw fsFailure(k, 'unlink', new Error(`"${link}" is a symlink; ${name} never removes through a symlinked folder`))
        try {
          await fs.unlink(target)
        } catch (e) {
          const code = errorCode(e) ?? ''
          if (hasCode(MISSING, e)) return
          if ((code === 'EISDIR' || code === 'EPERM') && (await statOrNull(ctx, k, target))?.isDirectory() === true) return
          throw fsFailure(k, 'unlink', e)
        }
        await syncFolder(ctx, k, path.dirname(target))
        await pruneFolders(ctx, path.dirname(target))
      }),
    )

  return {
    name,
    get capabilities() {
      return capabilities
    },
    open,
    write: (key: string, data: WriteData, options?: WriteOptions): Promise<ObjectInfo> =>
      written(key, 'write', (k) => writeObject(ctx, writer, k, data, options)),
    read: (key: string, range?: ByteRange): Promise<Uint8Array> => ranged(key, range, 'read', (k, r) => readObject(ctx, k, r)),
    readStream: (key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> =>
      ranged(key, range, 'readStream', (k, r) => streamObject(ctx, k, r, readChunk)),
    readInto: (key: string, range: ByteRange, target: Uint8Array): Promise<number> =>
      ranged(key, range, 'readInto', (k, r) => readObjectInto(ctx, k, r!, target)),
    list: (prefix?: string): Promise<ReadonlyArray<string>> => listed(prefix, (p) => listKeys(ctx, p)),
    remove,
    stat: (key: string): Promise<ObjectInfo | null> =>
      keyed(key, 'stat', async (k) => {
        const st = await statOrNull(ctx, k, fileOf(ctx, k))
        if (st !== null && !st.isFile() && !st.isDirectory())
          fail(ioError(k, `key "${k}" is not a regular file (a FIFO, socket or device)`, null))
        return st === null || !st.isFile() ? null : infoOf(st)
      }),
  }
}
