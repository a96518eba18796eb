/**
 * The slice of `node:fs/promises` the fs adapter uses. `node:fs/promises`, a memfs volume's `promises`
 * and the fault-injecting wrapper `fsFaults` (ckpt/testing) all provide it.
 */
export interface FsModule {
  open(path: string, flags: string, mode?: number): Promise<FsFileHandle>
  mkdir(path: string, options: { recursive: true }): Promise<unknown>
  rename(from: string, to: string): Promise<void>
  link(existing: string, newPath: string): Promise<void>
  unlink(path: string): Promise<void>
  rmdir(path: string): Promise<void>
  readdir(path: string, options: { withFileTypes: true }): Promise<ReadonlyArray<FsDirent>>
  stat(path: string, options: { bigint: true }): Promise<FsStats>
  /** Like `stat`, but of a symlink itself: removal never goes through one. */
  lstat(path: string, options: { bigint: true }): Promise<FsStats>
}

export interface FsFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position?: number | null): Promise<{ bytesWritten: number }>
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>
  sync(): Promise<void>
  stat(options: { bigint: true }): Promise<FsStats>
  close(): Promise<void>
}

export interface FsStats {
  readonly ino: bigint
  readonly size: bigint
  readonly mtimeNs: bigint
  readonly mtimeMs: bigint
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
}

export interface FsDirent {
  readonly name: string | { toString(): string }
  isFile(): boolean
  isDirectory(): boolean
}

/** The slice of `node:path` the fs adapter uses (`node:path` for real folders, `node:path/posix` for memfs). */
export interface PathModule {
  join(...parts: string[]): string
  dirname(path: string): string
  resolve(...parts: string[]): string
  readonly sep: string
}

/** The error code of a thrown fs error, or undefined. */
export const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined
