import * as posixPath from 'node:path/posix'
import { Volume } from 'memfs'
import { fsDriver } from './fs/driver.js'
import type { FsModule } from './fs/fs-module.js'
import { fromDriver, type Storage } from './storage.js'

export interface MemoryStorageOptions {
  /** The memfs volume to keep objects in. Default: a new, empty one. */
  readonly volume?: Volume
  /** Wraps the volume's fs before use (e.g. `fsFaults(...).wrap`, for fault-injection tests). Default: none. */
  readonly wrapFs?: (fs: FsModule) => FsModule
  /**
   * At the first write, sweep temp files older than this even if their writer (this process) is alive: set 0
   * to clean up after a simulated crash on a shared volume. Default 3_600_000 (1 hour).
   */
  readonly staleTempAfterMs?: number
}

/**
 * Objects in memory: the fs adapter's implementation over a memfs volume, so both share one code path and
 * one test suite. Nothing survives the process.
 *
 * @example
 * const storage = memoryStorage()
 * await storage.write('a.bin', new Uint8Array([1, 2, 3]))
 */
export const memoryStorage = (options: MemoryStorageOptions = {}): Storage => {
  const volume = options.volume ?? new Volume()
  const base = volume.promises as unknown as FsModule
  return fromDriver(
    fsDriver({
      fs: options.wrapFs ? options.wrapFs(base) : base,
      path: posixPath,
      root: '/',
      name: 'memory',
      ...(options.staleTempAfterMs === undefined ? {} : { staleTempAfterMs: options.staleTempAfterMs }),
    }),
  )
}
