import * as nodeFs from 'node:fs/promises'
import * as nodePath from 'node:path'
import { fsDriver } from './fs/driver.js'
import type { FsModule } from './fs/fs-module.js'
import { fromDriver, type Storage } from './storage.js'

export interface FsStorageOptions {
  /** fsync each file before its rename and the folder after it. Default true. */
  readonly fsync?: boolean
  /** Remove temp files left by crashed writers at the first write. Default true. */
  readonly sweepOnOpen?: boolean
  /** Sweep temp files older than this even when their writer's pid is alive. Default 3_600_000 (1 hour). */
  readonly staleTempAfterMs?: number
  /** Chunk size of `readStream`. Default 1 MiB. */
  readonly readChunkBytes?: number
  /** Wraps `node:fs/promises` before use (e.g. `fsFaults(...).wrap`, for fault-injection tests). Default: none. */
  readonly wrapFs?: (fs: FsModule) => FsModule
}

/**
 * Objects as files below `dir`: each write goes to a temp file in the key's folder, is fsynced, renamed over
 * the target, and the folder is fsynced. Returns at once; the folder is created and swept, and hard links
 * probed, at the first write: reads write nothing.
 *
 * @example
 * const storage = fsStorage('./checkpoints')
 * await storage.write('run-1/epoch-003.safetensors', bytes)
 */
export const fsStorage = (dir: string, options: FsStorageOptions = {}): Storage => {
  if (typeof dir !== 'string' || dir === '')
    throw new TypeError(`fsStorage(dir): dir must be a non-empty folder path, got ${JSON.stringify(dir)}`)
  return fromDriver(
    fsDriver({
      fs: options.wrapFs ? options.wrapFs(nodeFs) : nodeFs,
      path: nodePath,
      root: nodePath.resolve(dir),
      name: `fs:${nodePath.resolve(dir)}`,
      ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
      ...(options.sweepOnOpen === undefined ? {} : { sweepOnOpen: options.sweepOnOpen }),
      ...(options.staleTempAfterMs === undefined ? {} : { staleTempAfterMs: options.staleTempAfterMs }),
      ...(options.readChunkBytes === undefined ? {} : { readChunkBytes: options.readChunkBytes }),
    }),
  )
}

export type { FsModule } from './fs/fs-module.js'
