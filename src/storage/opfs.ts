import { browser } from './browser/dom.js'
import { StorageFailure, invalidKey, unsupported } from './errors.js'
import { keyProblem } from './keys.js'
import { opfsDriver } from './opfs/driver.js'
import { fromDriver, type Storage } from './storage.js'

export { requestPersistence } from './browser/persistence.js'

export interface OpfsStorageOptions {
  /** At the first write, remove temp files older than this (left by a tab closed mid-write). Default 3_600_000 (1 hour). */
  readonly staleTempAfterMs?: number
  /** Bytes per chunk of `readStream`. Default 1 MiB. */
  readonly streamChunkBytes?: number
}

/**
 * Objects as files in the browser's Origin Private File System, below the folder `dir` (`/`-separated, created
 * at the first write; default: the OPFS root). Keys' `/` are folders. Writes replace atomically (a temp file
 * moved over the target); conditional writes hold the key's Web Lock, so two tabs cannot both win. Files are
 * streamed in and out, never held whole. Needs a secure context (https, or http on 127.0.0.1/localhost).
 *
 * @example
 * const storage = opfsStorage('checkpoints')
 * await storage.write('run-1/a.bin', new Uint8Array([1, 2, 3]))
 */
export const opfsStorage = (dir = '', options: OpfsStorageOptions = {}): Storage => {
  const problem = dir === '' ? null : keyProblem(dir)
  if (problem !== null)
    throw new StorageFailure(invalidKey(dir, `opfsStorage: the folder ${JSON.stringify(dir)} ${problem}; it is a relative path like a key`))
  const streamChunkBytes = options.streamChunkBytes ?? 1024 * 1024
  // 0 or less would make `readStream` yield empty chunks for ever; NaN, one empty chunk for the whole file.
  if (!Number.isSafeInteger(streamChunkBytes) || streamChunkBytes < 1)
    throw new StorageFailure(
      unsupported('', `opfsStorage: streamChunkBytes is ${streamChunkBytes}; expected a positive integer (default 1048576)`),
    )
  const navigator = browser().navigator
  return fromDriver(
    opfsDriver({
      dir: dir === '' ? [] : dir.split('/'),
      root: async () => {
        const storage = navigator?.storage
        if (storage?.getDirectory === undefined)
          throw new Error(
            'the Origin Private File System is not available here (navigator.storage.getDirectory is missing; it needs a secure context)',
          )
        return storage.getDirectory()
      },
      locks: navigator?.locks,
      staleTempAfterMs: options.staleTempAfterMs ?? 3_600_000,
      streamChunkBytes,
    }),
  )
}
