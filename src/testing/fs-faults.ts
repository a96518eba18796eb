import type { FsFileHandle, FsModule } from '../storage/fs/fs-module.js'

/** The file-system operations `fsFaults` counts and can fail. Handle operations are `write`, `read`, `sync`, `stat`, `close`. */
export type FsOp = 'open' | 'write' | 'read' | 'sync' | 'close' | 'stat' | 'rename' | 'link' | 'unlink' | 'mkdir' | 'rmdir' | 'readdir'

export const FS_OPS: ReadonlyArray<FsOp> = [
  'open',
  'write',
  'read',
  'sync',
  'close',
  'stat',
  'rename',
  'link',
  'unlink',
  'mkdir',
  'rmdir',
  'readdir',
]

export interface FsFault {
  /** Which operation to fail. */
  readonly op: FsOp
  /** Fail the n-th call of `op` (1-based), counted from when the wrapper was made or last `reset`. */
  readonly nth: number
  /** The error code thrown. Default `'EIO'`. */
  readonly code?: string
  /**
   * Simulate the process dying at that point: the failing call and every later call of any operation fail,
   * so nothing is cleaned up (temp files stay behind). Default false.
   */
  readonly crash?: boolean
}

export interface FsFaults {
  /** Wraps a file system; pass as `fsStorage(dir, { wrapFs: faults.wrap })` or `memoryStorage({ wrapFs: faults.wrap })`. */
  readonly wrap: (fs: FsModule) => FsModule
  /** How many calls of each operation were made (failed ones included). */
  counts(): Readonly<Record<FsOp, number>>
  /** Whether a planned fault has fired. */
  readonly fired: boolean
  /** Restarts the counts and re-arms the faults (a crash is over). */
  reset(): void
  /** Same as `reset`: counting (and failing) starts now. Use with `{ armed: false }` to let `open` run clean. */
  arm(): void
}

const zeroCounts = (): Record<FsOp, number> => Object.fromEntries(FS_OPS.map((op) => [op, 0])) as Record<FsOp, number>

/**
 * A fault-injecting file system for crash and error tests: fails the n-th `write`, `sync`, `rename`, ...
 * with `ENOSPC`, `EIO` or any code, optionally as a crash after which everything fails.
 *
 * @example
 * const faults = fsFaults({ op: 'rename', nth: 1, code: 'ENOSPC' }, { armed: false })
 * const storage = fsStorage(dir, { wrapFs: faults.wrap })
 * await storage.open()  // the opening work (sweep, link probe) runs without faults
 * faults.arm()
 * await storage.write('a', bytes) // rejects with an IOError; the previous 'a' is intact
 */
export const fsFaults = (plan: FsFault | ReadonlyArray<FsFault> = [], options: { readonly armed?: boolean } = {}): FsFaults => {
  const faults: ReadonlyArray<FsFault> = Array.isArray(plan) ? plan : [plan as FsFault]
  let counts = zeroCounts()
  let fired = false
  let crashed = false
  let armed = options.armed ?? true

  const injected = (op: FsOp, target: string, code: string): Error =>
    Object.assign(new Error(`${code}: injected fault on ${op} #${counts[op]} (${target})`), { code, syscall: op, path: target })

  /** Counts a call of `op` and throws if it is planned to fail (or the process has "crashed"). */
  const check = (op: FsOp, target: string): void => {
    if (!armed) return
    counts[op]++
    if (crashed) throw injected(op, target, 'EIO')
    const fault = faults.find((f) => f.op === op && f.nth === counts[op])
    if (fault === undefined) return
    fired = true
    if (fault.crash === true) crashed = true
    throw injected(op, target, fault.code ?? 'EIO')
  }

  /** `f` with a fault check first; the target named in the error is `file`, or `f`'s first argument. */
  const guarded =
    <A extends unknown[], R>(op: FsOp, f: (...args: A) => Promise<R>, file?: string) =>
    async (...args: A): Promise<R> => {
      check(op, file ?? String(args[0]))
      return f(...args)
    }

  const wrapHandle = (handle: FsFileHandle, file: string): FsFileHandle => ({
    write: guarded('write', (b: Uint8Array, o: number, l: number, p?: number | null) => handle.write(b, o, l, p), file),
    read: guarded('read', (b: Uint8Array, o: number, l: number, p: number | null) => handle.read(b, o, l, p), file),
    sync: guarded('sync', () => handle.sync(), file),
    stat: guarded('stat', (o: { bigint: true }) => handle.stat(o), file),
    close: async () => {
      // A handle is always released, even when the close is reported as failed.
      await handle.close()
      if (!armed) return
      counts.close++
      if (crashed) throw injected('close', file, 'EIO')
      const fault = faults.find((f) => f.op === 'close' && f.nth === counts.close)
      if (fault !== undefined) {
        fired = true
        if (fault.crash === true) crashed = true
        throw injected('close', file, fault.code ?? 'EIO')
      }
    },
  })

  const wrap = (fs: FsModule): FsModule => ({
    open: async (file, flags, mode) => {
      check('open', file)
      return wrapHandle(await fs.open(file, flags, mode), file)
    },
    mkdir: guarded('mkdir', (p: string, o: { recursive: true }) => fs.mkdir(p, o)),
    rename: guarded('rename', (a: string, b: string) => fs.rename(a, b)),
    link: guarded('link', (a: string, b: string) => fs.link(a, b)),
    unlink: guarded('unlink', (p: string) => fs.unlink(p)),
    rmdir: guarded('rmdir', (p: string) => fs.rmdir(p)),
    readdir: guarded('readdir', (p: string, o: { withFileTypes: true }) => fs.readdir(p, o)),
    stat: guarded('stat', (p: string, o: { bigint: true }) => fs.stat(p, o)),
    lstat: guarded('stat', (p: string, o: { bigint: true }) => fs.lstat(p, o)),
  })

  return {
    wrap,
    counts: () => ({ ...counts }),
    get fired() {
      return fired
    },
    reset: () => {
      counts = zeroCounts()
      fired = false
      crashed = false
      armed = true
    },
    arm: () => {
      counts = zeroCounts()
      fired = false
      crashed = false
      armed = true
    },
  }
}
