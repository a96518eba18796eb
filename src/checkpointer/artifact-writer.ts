import { configError, configIssue } from '../policy/index.js'
import type { Storage } from '../storage/storage.js'
import { hashingStream } from './checksum.js'
import { fail, storageFailure } from './errors.js'
import type { FileRecord } from './index-file.js'
import { INDEX_KEY, SEGMENT_PREFIX } from './index-keys.js'
import { LOCK_KEY } from './writer-lock.js'
import type { ArtifactWriter } from './serializer.js'

/**
 * An ArtifactWriter over `storage` that records every file it writes, with its size and SHA-256, for the index entry.
 * It refuses to write a file `inUse` says another live checkpoint holds (e.g. a shard named as a single-file
 * checkpoint): writing it would corrupt that checkpoint, and cleaning up this one later would delete it.
 */
export const recordingWriter = (
  storage: Storage,
  inUse: (key: string) => boolean = () => false,
): ArtifactWriter & { readonly files: ReadonlyArray<FileRecord> } => {
  const files: FileRecord[] = []
  const forget = (key: string) => {
    const at = files.findIndex((f) => f.key === key)
    if (at >= 0) files.splice(at, 1)
  }
  return {
    files,
    get capabilities() {
      return storage.capabilities
    },
    async writeFile(key, data, options) {
      // The index refuses to name ckpt's own files (it would delete them with the checkpoint): a checkpoint written
      // there would be committed into an index that no later opening reads. Refused before anything is written.
      if (key === INDEX_KEY || key === LOCK_KEY || key.startsWith(SEGMENT_PREFIX))
        fail(
          configError([
            configIssue(
              'filepath',
              key,
              `a path other than ckpt's own files: the index (${INDEX_KEY}), its segments (${SEGMENT_PREFIX}) and the writer lock (${LOCK_KEY})`,
            ),
          ]),
        )
      if (inUse(key))
        fail(
          configError([
            configIssue(
              'filepath',
              key,
              'a path whose files are not files of another live checkpoint',
              'that checkpoint would be written over',
            ),
          ]),
        )
      const hashed = hashingStream(data)
      const info = await storage
        .write(key, hashed.data, options)
        .catch((e: unknown) => fail(storageFailure(e, `cannot write checkpoint file "${key}"`, key)))
      const digest = await hashed.digest()
      const record: FileRecord = { key, size: digest.size, sha256: digest.sha256 }
      forget(key)
      files.push(record)
      return { record, etag: info.etag }
    },
    async removeFile(key) {
      await storage.remove(key).catch((e: unknown) => fail(storageFailure(e, `cannot remove "${key}"`, key)))
      forget(key)
    },
    readExisting: (key) => storage.read(key).catch((e: unknown) => fail(storageFailure(e, `cannot read "${key}"`, key))),
    statExisting: (key) => storage.stat(key).catch((e: unknown) => fail(storageFailure(e, `cannot stat "${key}"`, key))),
  }
}
