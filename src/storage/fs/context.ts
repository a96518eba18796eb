import type { FsModule, PathModule } from './fs-module.js'

/** What every part of the fs driver shares: the file system, where objects live, and how durable writes are. */
export interface FsContext {
  readonly fs: FsModule
  readonly path: PathModule
  /** The folder that holds the objects. */
  readonly root: string
  /** The adapter's name in errors. */
  readonly name: string
  /** fsync files before their rename and folders after it. */
  readonly durable: boolean
}

/** The file that holds `key`: one folder per key segment below the root. */
export const fileOf = (ctx: FsContext, key: string): string => ctx.path.join(ctx.root, ...key.split('/'))
