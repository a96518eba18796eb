import { MAX_READ_BYTES, allocate } from '../storage/data.js'
import { asStorageError, unsupported } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'
import { hashInto, sha256, sha256Text } from './checksum.js'
import { CheckpointFailure, fail, isCorruption, storageFailure } from './errors.js'
import type { Entry, FileRecord } from './index-file.js'
import { readAhead } from './read-ahead.js'
import type { ArtifactReader } from './serializer.js'

/** Why a file of `size` bytes and digest `sha256` does not match its index record, or null when it does. The size is checked first. */
const fileProblem = (record: FileRecord, size: number, digest: () => string): string | null => {
  if (size > record.size)
    return `file "${record.key}" has more than ${record.size} bytes, the index says ${record.size} (replaced or appended to)`
  if (size < record.size) return `file "${record.key}" has ${size} bytes, the index says ${record.size} (truncated or replaced)`
  const got = digest()
  return got === record.sha256 ? null : `file "${record.key}" fails its checksum (expected ${record.sha256}, got ${got})`
}

/** Copies a file's chunks into one buffer of its recorded size (the chunks never run past it: the reader stops them first). */
const gather = async (chunks: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> => {
  const out = allocate(size)
  let at = 0
  for await (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/**
 * Reads an entry's files, checking each against the index; any mismatch is a CorruptCheckpoint. A file is read
 * as a stream of bounded chunks, one read ahead, hashed as it passes: it is read once, and the hashing overlaps
 * the reading. The read stops one byte past the recorded size, so a replaced file, or a server sending an endless
 * body, is never read to its end.
 */
export const verifyingReader = (storage: Storage, entry: Entry): ArtifactReader => {
  const corrupt = (message: string) =>
    new CheckpointFailure({
      _tag: 'CorruptCheckpoint',
      path: entry.path,
      message: `checkpoint "${entry.path}": ${message}`,
      fallback: null,
    })
  const cannotRead = (key: string, e: unknown): never => fail(storageFailure(e, `cannot read "${key}" of checkpoint "${entry.path}"`, key))
  const recordOf = (key: string): FileRecord => {
    const record = entry.files.find((f) => f.key === key)
    if (record === undefined) throw corrupt(`file "${key}" is not part of it`)
    return record
  }

  const readFileStream = async <A>(key: string, consume: (chunks: AsyncIterable<Uint8Array>, size: number) => Promise<A>): Promise<A> => {
    const record = recordOf(key)
    let opened: AsyncIterable<Uint8Array>
    try {
      opened = await storage.readStream(key, { start: 0, end: record.size + 1 })
    } catch (e) {
      // A missing file makes the checkpoint incomplete; any other failure is the storage's, not the checkpoint's.
      if (asStorageError(e)?._tag === 'NotFound') throw corrupt(`file "${key}" is missing`)
      return cannotRead(key, e)
    }
    const source = readAhead(opened)
    const hash = sha256()
    let size = 0
    /** What stopped the stream itself (a storage failure, or more bytes than recorded): it is the answer, whatever `consume` did. */
    let stopped: CheckpointFailure | null = null
    const pull = async (): Promise<Uint8Array | null> => {
      if (stopped !== null) throw stopped
      let c: Uint8Array | null
      try {
        c = await source.next()
      } catch (e) {
        stopped = new CheckpointFailure(storageFailure(e, `cannot read "${key}" of checkpoint "${entry.path}"`, key))
        throw stopped
      }
      if (c === null) return null
      size += c.byteLength
      if (size > record.size) {
        stopped = corrupt(fileProblem(record, size, () => '')!)
        throw stopped
      }
      hashInto(hash, c)
      return c
    }
    // No `return`: a consumer that stops early leaves the rest to `verify`, which still reads and hashes it.
    const chunks: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          const c = await pull()
          return c === null ? { done: true, value: undefined } : { done: false, value: c }
        },
      }),
    }
    const verify = async (): Promise<void> => {
      while ((await pull()) !== null);
      const problem = fileProblem(record, size, () => sha256Text(hash))
      if (problem !== null) throw corrupt(problem)
    }
    try {
      let value: A
      try {
        value = await consume(chunks, record.size)
      } catch (e) {
        const why = stopped as CheckpointFailure | null // set by `pull`, inside `consume`
        if (why !== null) throw why
        // A file that does not match its record is reported as such, whatever its bytes made the consumer say.
        await verify()
        throw e
      }
      await verify()
      return value
    } finally {
      await source.close()
    }
  }

  return {
    files: entry.files,
    readFileStream,
    readFile: async (key) => {
      const record = recordOf(key)
      if (record.size > MAX_READ_BYTES)
        return cannotRead(
          key,
          unsupported(
            key,
            `file "${key}" is ${record.size} bytes, more than one buffer holds (${MAX_READ_BYTES} bytes in this Node); a serializer reads it with readFileStream`,
          ),
        )
      return readFileStream(key, gather)
    },
  }
}

/** Checks every file of an entry; resolves to the problem, or null when all verify. Rejects on a storage failure. */
export const verifyEntry = async (storage: Storage, entry: Entry): Promise<string | null> => {
  const reader = verifyingReader(storage, entry)
  for (const f of entry.files) {
    try {
      await reader.readFileStream(f.key, async (chunks) => {
        for await (const _chunk of chunks);
      })
    } catch (e) {
      // Only a corrupt or missing file is an answer; a storage failure (network, permissions) is thrown.
      if (isCorruption(e)) return e.message
      throw e
    }
  }
  return null
}
