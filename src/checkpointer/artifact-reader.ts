import { MAX_READ_BYTES, allocate } from '../storage/data.js'
import { asStorageError, unsupported } from '../storage/errors.js'
import type { ByteRange, Storage } from '../storage/storage.js'
import { blockCount, blockListKey, checkpointFiles, DIGEST_BYTES, sha256Field } from './blocks.js'
import { hashInto, sha256, sha256Text } from './checksum.js'
import { CheckpointFailure, fail, isCorruption, storageFailure } from './errors.js'
import { blockDigester, type BlockHasher } from './hashing/block-hasher.js'
import { defaultHasher } from '#platform/block-hasher.js'
import { isBlockRecord, type BlockRecord, type Entry, type FileRecord } from './index-file.js'
import { BlockMismatch, readCheckedRanges } from './ranged-read.js'
import { readAhead } from './read-ahead.js'
import type { ArtifactReader } from './serializer.js'

/** Bytes handed to the hasher and not yet hashed, in a streamed read, before reading waits. */
const STREAM_PENDING_BYTES = 64 << 20

/** Why a file read to `size` bytes does not have its recorded size, or null when it does. */
const sizeProblem = (record: FileRecord, size: number): string | null => {
  if (size > record.size)
    return `file "${record.key}" has more than ${record.size} bytes, the index says ${record.size} (replaced or appended to)`
  if (size < record.size) return `file "${record.key}" has ${size} bytes, the index says ${record.size} (truncated or replaced)`
  return null
}

/** What a streamed read checks: each chunk as it passes, then the whole once read (its size first). */
export interface StreamCheck {
  /** Takes a chunk; resolves when the reader may read on (a block check holds back a reader ahead of its hashing). */
  push(chunk: Uint8Array): Promise<void> | undefined
  /** Why the file read does not match its record, or null. */
  problem(size: number): Promise<string | null>
  /** The block list hashed (a block record's, once `problem` resolved null), to be stored beside the file; else null. */
  list(): Uint8Array | null
}

/** A whole-file SHA-256, hashed on this thread as the chunks pass. */
const wholeCheck = (record: Extract<FileRecord, { readonly sha256: string }>): StreamCheck => {
  const hash = sha256()
  return {
    push: (chunk) => void hashInto(hash, chunk),
    problem: (size) => {
      const wrongSize = sizeProblem(record, size)
      if (wrongSize !== null) return Promise.resolve(wrongSize)
      const got = sha256Text(hash)
      return Promise.resolve(
        got === record.sha256 ? null : `file "${record.key}" fails its checksum (expected ${record.sha256}, got ${got})`,
      )
    },
    list: () => null,
  }
}

/** Block digests, hashed in parallel as the chunks pass, then the SHA-256 of their list. */
const blockCheck = (record: BlockRecord, hasher: BlockHasher): StreamCheck => {
  const blocks = blockDigester(hasher, record.blocks.size, STREAM_PENDING_BYTES)
  let checked: Uint8Array | null = null
  return {
    push: (chunk) => blocks.push(chunk),
    problem: async (size) => {
      const { list } = await blocks.finish()
      const wrongSize = sizeProblem(record, size)
      if (wrongSize !== null) return wrongSize
      const got = sha256Field(await hasher.digest([list]))
      if (got !== record.blocks.sha256)
        return `file "${record.key}" fails its checksum (expected block list ${record.blocks.sha256}, got ${got})`
      checked = list
      return null
    },
    list: () => checked,
  }
}

/** The check of a file streamed past it, by its record: a whole SHA-256, or block checksums hashed in parallel. */
export const streamCheck = (record: FileRecord, hasher: BlockHasher = defaultHasher()): StreamCheck =>
  isBlockRecord(record) ? blockCheck(record, hasher) : wholeCheck(record)

/**
 * Whether the file at `record.key` still matches `record`: its size, then its checksums. The stream stops one byte
 * past the recorded size. Rejects as the storage does (a missing file is its `NotFound`).
 */
export const matchesRecord = async (storage: Storage, record: FileRecord, hasher: BlockHasher = defaultHasher()): Promise<boolean> => {
  const check = streamCheck(record, hasher)
  const source = readAhead(await storage.readStream(record.key, { start: 0, end: record.size + 1 }))
  let size = 0
  try {
    for (let c = await source.next(); c !== null; c = await source.next()) {
      size += c.byteLength
      if (size > record.size) return false
      await check.push(c)
    }
  } finally {
    await source.close()
  }
  return (await check.problem(size)) === null
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
 * as a stream of bounded chunks, one read ahead, hashed as it passes (block by block, in parallel, when it has block
 * checksums): it is read once, and the hashing overlaps the reading. The read stops one byte past the recorded size,
 * so a replaced file, or a server sending an endless body, is never read to its end. `readRanges` reads only the
 * blocks its ranges touch (see ranged-read.ts).
 */
export const verifyingReader = (storage: Storage, entry: Entry, hasher: BlockHasher = defaultHasher()): ArtifactReader => {
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
    const check = streamCheck(record, hasher)
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
        stopped = corrupt(sizeProblem(record, size)!)
        throw stopped
      }
      await check.push(c)
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
      const problem = await check.problem(size)
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

  /** The block list of `record`, read once and checked against the record's digest of it. */
  const lists = new Map<string, Promise<Uint8Array>>()
  const listOf = (record: BlockRecord): Promise<Uint8Array> => {
    let list = lists.get(record.key)
    if (list === undefined) {
      list = readList(record)
      lists.set(record.key, list)
    }
    return list
  }
  const readList = async (record: BlockRecord): Promise<Uint8Array> => {
    const listKey = blockListKey(record.blocks.sha256)
    const expected = blockCount(record.size, record.blocks.size) * DIGEST_BYTES
    let bytes: Uint8Array
    try {
      bytes = await storage.read(listKey, { start: 0, end: expected + 1 })
    } catch (e) {
      if (asStorageError(e)?._tag === 'NotFound') throw corrupt(`the block list "${listKey}" of file "${record.key}" is missing`)
      return cannotRead(listKey, e)
    }
    if (bytes.byteLength !== expected)
      throw corrupt(
        `the block list "${listKey}" of file "${record.key}" has ${bytes.byteLength === expected + 1 ? 'more than ' : ''}${bytes.byteLength} bytes, not ${expected}`,
      )
    if (sha256Field(await hasher.digest([bytes])) !== record.blocks.sha256)
      throw corrupt(`the block list "${listKey}" of file "${record.key}" fails its checksum`)
    return bytes
  }

  const invalidRanges = (key: string, ranges: ReadonlyArray<ByteRange>, size: number): never =>
    cannotRead(
      key,
      unsupported(
        key,
        `invalid ranges ${JSON.stringify(ranges.slice(0, 5))}${ranges.length > 5 ? ' …' : ''} of file "${key}" (${size} bytes): expected integers 0 <= start <= end <= ${size}, not overlapping`,
      ),
    )

  const readRanges = async (key: string, ranges: ReadonlyArray<ByteRange>): Promise<Uint8Array[]> => {
    const record = recordOf(key)
    const sorted = [...ranges].sort((a, b) => a.start - b.start)
    for (const [i, r] of sorted.entries())
      if (
        !Number.isSafeInteger(r.start) ||
        !Number.isSafeInteger(r.end) ||
        r.start < 0 ||
        r.end < r.start ||
        r.end > record.size ||
        r.end - r.start > MAX_READ_BYTES ||
        (i > 0 && r.start < sorted[i - 1]!.end)
      )
        return invalidRanges(key, ranges, record.size)
    if (!isBlockRecord(record))
      // Checked whole: one streamed read of the file, keeping only the ranges.
      return readFileStream(key, async (chunks) => {
        const out = ranges.map((r) => allocate(r.end - r.start))
        let at = 0
        for await (const c of chunks) {
          for (const [i, r] of ranges.entries()) {
            const from = Math.max(r.start, at)
            const to = Math.min(r.end, at + c.byteLength)
            if (from < to) out[i]!.set(c.subarray(from - at, to - at), from - r.start)
          }
          at += c.byteLength
        }
        return out
      })
    const list = await listOf(record)
    try {
      return await readCheckedRanges(storage, key, { size: record.size, blockSize: record.blocks.size, list }, ranges, hasher)
    } catch (e) {
      if (e instanceof BlockMismatch) throw corrupt(`file "${key}" ${e.message}`)
      if (asStorageError(e)?._tag === 'NotFound') throw corrupt(`file "${key}" is missing`)
      return cannotRead(key, e)
    }
  }

  return {
    files: checkpointFiles(entry.files),
    readFileStream,
    readRanges,
    readRange: async (key, start, end) => (await readRanges(key, [{ start, end }]))[0]!,
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
      if (isBlockRecord(record)) return (await readRanges(key, [{ start: 0, end: record.size }]))[0]!
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
