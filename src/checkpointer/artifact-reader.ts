import { asStorageError } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'
import { digestOf } from './checksum.js'
import { CheckpointFailure, fail, isCorruption, storageFailure } from './errors.js'
import type { Entry, FileRecord } from './index-file.js'
import type { ArtifactReader } from './serializer.js'

/**
 * A file's bytes up to one past its recorded size: enough to tell it is longer, never more (a replaced file, or a
 * server sending an endless body, is not read to its end).
 */
const readRecorded = (storage: Storage, record: FileRecord): Promise<Uint8Array> =>
  storage.read(record.key, { start: 0, end: record.size + 1 })

/** Why a file, read by `readRecorded`, does not match its index record, or null when it does. The size is checked first. */
export const fileProblem = (record: FileRecord, bytes: Uint8Array): string | null => {
  if (bytes.byteLength > record.size)
    return `file "${record.key}" has more than ${record.size} bytes, the index says ${record.size} (replaced or appended to)`
  if (bytes.byteLength < record.size)
    return `file "${record.key}" has ${bytes.byteLength} bytes, the index says ${record.size} (truncated or replaced)`
  const digest = digestOf(bytes)
  return digest.sha256 === record.sha256
    ? null
    : `file "${record.key}" fails its checksum (expected ${record.sha256}, got ${digest.sha256})`
}

/** Reads an entry's files, checking each against the index; any mismatch is a CorruptCheckpoint. */
export const verifyingReader = (storage: Storage, entry: Entry): ArtifactReader => ({
  files: entry.files,
  async readFile(key) {
    const record = entry.files.find((f) => f.key === key)
    const corrupt = (message: string) =>
      new CheckpointFailure({
        _tag: 'CorruptCheckpoint',
        path: entry.path,
        message: `checkpoint "${entry.path}": ${message}`,
        fallback: null,
      })
    if (record === undefined) throw corrupt(`file "${key}" is not part of it`)
    let bytes: Uint8Array
    try {
      bytes = await readRecorded(storage, record)
    } catch (e) {
      // A missing file makes the checkpoint incomplete; any other failure is the storage's, not the checkpoint's.
      if (asStorageError(e)?._tag === 'NotFound') throw corrupt(`file "${key}" is missing`)
      return fail(storageFailure(e, `cannot read "${key}" of checkpoint "${entry.path}"`, key))
    }
    const problem = fileProblem(record, bytes)
    if (problem !== null) throw corrupt(problem)
    return bytes
  },
})

/** Checks every file of an entry; resolves to the problem, or null when all verify. Rejects on a storage failure. */
export const verifyEntry = async (storage: Storage, entry: Entry): Promise<string | null> => {
  const reader = verifyingReader(storage, entry)
  for (const f of entry.files) {
    try {
      await reader.readFile(f.key)
    } catch (e) {
      // Only a corrupt or missing file is an answer; a storage failure (network, permissions) is thrown.
      if (isCorruption(e)) return e.message
      throw e
    }
  }
  return null
}
