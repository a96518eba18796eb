import { browserFailure, reportedIn } from '../browser/failures.js'
import { checkCondition } from '../browser/conditions.js'
import { driverCalls } from '../calls.js'
import { chunksOf, clampRange } from '../data.js'
import { StorageFailure, fail, ioError, notFound } from '../errors.js'
import { compareKeys } from '../keys.js'
import {
  memoiseOpen,
  type ByteRange,
  type Capabilities,
  type ObjectInfo,
  type StorageDriver,
  type WriteData,
  type WriteOptions,
} from '../storage.js'
import type { IdbDatabase, IdbKeyRange } from '../browser/dom.js'
import { CHUNKS, OBJECTS, PENDING, inTransaction, keyRange, openDatabase, settled } from './idb.js'
import { newVersion } from './version.js'

export interface IndexedDbDriverOptions {
  /** The IndexedDB database's name. */
  readonly name: string
  /** Bytes per chunk record. */
  readonly chunkBytes: number
  /** At the first write, the chunks of writes not touched for this long and never committed are removed. */
  readonly staleWriteAfterMs: number
}

/** One object: the version its chunks are stored under (also its etag), its size, and the chunk size it was written with. */
interface ObjectRecord {
  readonly version: string
  readonly size: number
  readonly chunkBytes: number
}

/** A write whose chunks are stored but not yet committed: cleaned up if it is never finished. */
interface PendingRecord {
  readonly key: string
  readonly touched: number
}

const ADAPTER = 'IndexedDB'
const CAPABILITIES: Capabilities = { ifAbsent: true, ifMatch: true }
const LIST_BATCH = 1000

const infoOf = (r: ObjectRecord): ObjectInfo => ({ size: r.size, etag: r.version })

/** Every chunk of one version: chunk keys are `[version, index]`, ordered by index. */
const chunksOfVersion = (version: string, first = 0, last = Infinity): IdbKeyRange => keyRange().bound([version, first], [version, last])

/**
 * Objects in one IndexedDB database, in chunks of `chunkBytes`: a write stores its chunks under a new version
 * id, then one transaction checks the condition, switches the object's record to the new version and deletes
 * the old version's chunks. A reader sees the old object or the new one, never a mix.
 */
export const indexedDbDriver = (options: IndexedDbDriverOptions): StorageDriver => {
  const { chunkBytes } = options
  // A connection closed under the storage (the database deleted or upgraded elsewhere) is opened again at the next call.
  const connection = (): (() => Promise<IdbDatabase>) => {
    const opened = memoiseOpen(() =>
      openDatabase(options.name, () => {
        if (connecting === opened) connecting = connection()
      }),
    )
    return opened
  }
  let connecting = connection()
  const connect = () => connecting()
  const open = memoiseOpen(async () => {
    await sweepStaleWrites(await connect(), Date.now() - options.staleWriteAfterMs)
    return CAPABILITIES
  })
  const { keyed, written, ranged, listed } = driverCalls({ connect, open }, undefined, reportedIn(ADAPTER))

  const recordOf = async (db: IdbDatabase, key: string): Promise<ObjectRecord | undefined> =>
    inTransaction(db, [OBJECTS], 'readonly', (tx) => settled(tx.objectStore(OBJECTS).get(key)) as Promise<ObjectRecord | undefined>)

  const existing = async (db: IdbDatabase, key: string): Promise<ObjectRecord> => (await recordOf(db, key)) ?? fail(notFound(key))

  return {
    name: 'indexeddb',
    capabilities: CAPABILITIES,
    open,

    write: (key: string, data: WriteData, writeOptions?: WriteOptions): Promise<ObjectInfo> =>
      written(key, 'write', async (k) => {
        const db = await connect()
        if (writeOptions?.ifAbsent === true || writeOptions?.ifMatch !== undefined)
          checkCondition(k, (await recordOf(db, k))?.version, writeOptions) // fail before taking the bytes
        const version = newVersion()
        // One chunk gathered at a time; IndexedDB copies it at `put`, so the buffer is reused.
        const gathering = new Uint8Array(chunkBytes)
        let filled = 0
        let stored = 0
        let size = 0
        const storeChunk = () =>
          inTransaction(db, [CHUNKS, PENDING], 'readwrite', (tx) => {
            tx.objectStore(PENDING).put({ key: k, touched: Date.now() } satisfies PendingRecord, version)
            tx.objectStore(CHUNKS).put(gathering.buffer, [version, stored]) // full: `put` copies it
          })
        try {
          for await (const chunk of chunksOf(k, data)) {
            for (let at = 0; at < chunk.byteLength;) {
              const n = Math.min(chunkBytes - filled, chunk.byteLength - at)
              gathering.set(chunk.subarray(at, at + n), filled)
              filled += n
              at += n
              size += n
              if (filled === chunkBytes) {
                await storeChunk()
                stored++
                filled = 0
              }
            }
          }
          return await inTransaction(db, [OBJECTS, CHUNKS, PENDING], 'readwrite', async (tx) => {
            const objects = tx.objectStore(OBJECTS)
            const current = (await settled(objects.get(k))) as ObjectRecord | undefined
            checkCondition(k, current?.version, writeOptions)
            // Another storage's opening sweeps writes untouched for `staleWriteAfterMs` (this one may have stalled
            // that long): never point the object at a version whose chunks are gone.
            if (stored > 0 && (await settled(tx.objectStore(CHUNKS).getAllKeys(chunksOfVersion(version)))).length !== stored) fail(swept(k))
            if (filled > 0) tx.objectStore(CHUNKS).put(gathering.buffer.slice(0, filled), [version, stored])
            const record: ObjectRecord = { version, size, chunkBytes }
            objects.put(record, k)
            tx.objectStore(PENDING).delete(version)
            if (current !== undefined) tx.objectStore(CHUNKS).delete(chunksOfVersion(current.version))
            return infoOf(record)
          })
        } catch (e) {
          if (stored > 0) await discard(db, version).catch(() => undefined)
          throw e
        }
      }),

    read: (key: string, range?: ByteRange): Promise<Uint8Array> =>
      ranged(key, range, 'read', async (k, r) =>
        inTransaction(await connect(), [OBJECTS, CHUNKS], 'readonly', async (tx) => {
          const record = ((await settled(tx.objectStore(OBJECTS).get(k))) as ObjectRecord | undefined) ?? fail(notFound(k))
          const { start, end } = clampRange(r, record.size)
          const out = new Uint8Array(end - start)
          if (end === start) return out
          const first = Math.floor(start / record.chunkBytes)
          const last = Math.floor((end - 1) / record.chunkBytes)
          const chunks = (await settled(tx.objectStore(CHUNKS).getAll(chunksOfVersion(record.version, first, last)))) as ArrayBuffer[]
          if (chunks.length !== last - first + 1) fail(missingChunks(k, record))
          chunks.forEach((chunk, i) => {
            const base = (first + i) * record.chunkBytes
            const from = Math.max(start - base, 0)
            const to = Math.min(end - base, chunk.byteLength)
            out.set(new Uint8Array(chunk, from, to - from), base + from - start)
          })
          return out
        }),
      ),

    readStream: (key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array>> =>
      ranged(key, range, 'readStream', async (k, r) => {
        const db = await connect()
        const record = await existing(db, k)
        const { start, end } = clampRange(r, record.size)
        return (async function* () {
          if (end === start) return
          const size = record.chunkBytes
          for (let index = Math.floor(start / size); index * size < end; index++) {
            let chunk: ArrayBuffer | undefined
            try {
              chunk = (await inTransaction(db, [CHUNKS], 'readonly', (tx) =>
                settled(tx.objectStore(CHUNKS).get([record.version, index])),
              )) as ArrayBuffer | undefined
            } catch (e) {
              throw browserFailure(k, 'readStream', ADAPTER)(e)
            }
            // The object was replaced or removed since the stream opened: its old chunks are gone.
            if (chunk === undefined)
              throw new StorageFailure(
                ioError(k, `IndexedDB readStream of key "${k}" failed: the object was replaced or removed while it was being read`, null),
              )
            const base = index * size
            const from = Math.max(start - base, 0)
            yield new Uint8Array(chunk, from, Math.min(end - base, chunk.byteLength) - from)
          }
        })()
      }),

    list: (prefix?: string): Promise<ReadonlyArray<string>> =>
      listed(prefix, async (p) => {
        const db = await connect()
        // IndexedDB orders keys by UTF-16 code units, so the keys under a prefix are one run from it; the
        // contract's UTF-8 byte order differs for characters past U+FFFF, hence the sort.
        const keys: string[] = []
        let from = keyRange().lowerBound(p.prefix)
        for (;;) {
          const batch = (await inTransaction(db, [OBJECTS], 'readonly', (tx) =>
            settled(tx.objectStore(OBJECTS).getAllKeys(from, LIST_BATCH)),
          )) as string[]
          const inPrefix = batch.filter((key) => key.startsWith(p.prefix))
          keys.push(...inPrefix)
          if (inPrefix.length < LIST_BATCH) return keys.sort(compareKeys)
          from = keyRange().lowerBound(batch[batch.length - 1]!, true)
        }
      }),

    remove: (key: string): Promise<void> =>
      keyed(key, 'remove', async (k) =>
        inTransaction(await connect(), [OBJECTS, CHUNKS], 'readwrite', async (tx) => {
          const record = (await settled(tx.objectStore(OBJECTS).get(k))) as ObjectRecord | undefined
          if (record === undefined) return
          tx.objectStore(OBJECTS).delete(k)
          tx.objectStore(CHUNKS).delete(chunksOfVersion(record.version))
        }),
      ),

    stat: (key: string): Promise<ObjectInfo | null> =>
      keyed(key, 'stat', async (k) => {
        const record = await recordOf(await connect(), k)
        return record === undefined ? null : infoOf(record)
      }),

    // Releases the connection; a later call opens the database again (a Checkpointer closed after training, then
    // its storage exported for a download).
    close: async () => {
      const db = await connect()
      connecting = connection()
      db.close()
    },
  }
}

const missingChunks = (key: string, record: ObjectRecord) =>
  ioError(
    key,
    `IndexedDB read of key "${key}" failed: chunks of version ${record.version} are missing (the database was changed outside ckpt)`,
    null,
  )

const swept = (key: string) =>
  ioError(
    key,
    `IndexedDB write of key "${key}" failed: its stored chunks were removed before it finished (another storage swept it as a stale write: ` +
      `it stalled longer than staleWriteAfterMs); the previous object is kept`,
    null,
  )

/** Removes the chunks and the pending record of an unfinished write. */
const discard = (db: IdbDatabase, version: string): Promise<void> =>
  inTransaction(db, [CHUNKS, PENDING], 'readwrite', (tx) => {
    tx.objectStore(CHUNKS).delete(chunksOfVersion(version))
    tx.objectStore(PENDING).delete(version)
  })

/** Removes the chunks of writes last touched before `before` that never committed (their tab closed mid-write). */
const sweepStaleWrites = (db: IdbDatabase, before: number): Promise<void> =>
  inTransaction(db, [CHUNKS, PENDING], 'readwrite', async (tx) => {
    const pending = tx.objectStore(PENDING)
    const [versions, records] = await Promise.all([settled(pending.getAllKeys()), settled(pending.getAll())])
    versions.forEach((version, i) => {
      if ((records[i] as PendingRecord).touched >= before) return
      tx.objectStore(CHUNKS).delete(chunksOfVersion(version as string))
      pending.delete(version)
    })
  })
