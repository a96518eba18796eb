import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { s3Storage } from '../../../src/storage/s3.js'
import { peakBytesOf, resetPeak } from '../../hostile/support/peak.js'
import { startS3rver, storageOptions } from '../../support/s3-servers.js'

/** Where the large-checkpoint suite keeps its checkpoint. */
export type BigStorage = 'fs' | 's3'

/** A place for one checkpoint, seen from the test (the children reach it through `where`). */
export interface BigPlace {
  readonly name: string
  /** The children's WHERE: a folder, or `s3:` and the JSON of s3Storage options. */
  readonly where: string
  size(key: string): Promise<number>
  exists(key: string): Promise<boolean>
  remove(key: string): Promise<void>
  /** Resets the S3 server's peak RSS; `serverPeakBytes` then gives its peak since. No-ops on fs. */
  resetServerPeak(): void
  serverPeakBytes(): number | null
  close(): Promise<void>
}

const inFolder = (): BigPlace => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-big-'))
  return {
    name: 'fs',
    where: dir,
    size: async (key) => statSync(join(dir, key)).size,
    exists: async (key) => existsSync(join(dir, key)),
    remove: async (key) => rmSync(join(dir, key)),
    resetServerPeak: () => {},
    serverPeakBytes: () => null,
    close: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

// s3rver keeps objects as files and serves ranges from them: the checkpoint costs disk, not server memory (moto
// would hold it in its process). Parts of 8 MiB, s3Storage's default, as a user gets them.
const onS3rver = async (): Promise<BigPlace> => {
  const server = await startS3rver()
  const options = storageOptions(server, { partSize: 8 * 2 ** 20 })
  const storage = s3Storage(options)
  const pid = server.pid
  return {
    name: 'S3 (s3rver)',
    where: `s3:${JSON.stringify(options)}`,
    size: async (key) => {
      const info = await storage.stat(key)
      if (info === null) throw new Error(`no ${key} on S3`)
      return info.size
    },
    exists: async (key) => (await storage.stat(key)) !== null,
    remove: (key) => storage.remove(key),
    resetServerPeak: () => {
      if (pid !== undefined) resetPeak(pid)
    },
    serverPeakBytes: () => (pid === undefined ? null : peakBytesOf(pid)),
    close: async () => {
      await storage.close()
      await server.stop()
    },
  }
}

export const openPlace = (kind: BigStorage): Promise<BigPlace> => (kind === 'fs' ? Promise.resolve(inFolder()) : onS3rver())
