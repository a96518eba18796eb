import { setTimeout as sleep } from 'node:timers/promises'
import type { Storage } from '../storage/storage.js'
import { asStorageError } from '../storage/errors.js'
import { CheckpointFailure, storageFailure, type CheckpointError } from './errors.js'
import { decodeIndex, emptyIndex, encodeIndex, INDEX_KEY, MAX_INDEX_DEPTH, type Entry, type IndexDoc } from './index-file.js'
import { jsonDepth } from '../json/bounded-json.js'
import { bySaveOrder, entryOf } from './entries.js'
import type { CheckpointMeta, Serializer } from './serializer.js'

/** What an index rebuild needs of a serializer: its format and its scan. */
export type Scanner = Pick<Serializer<unknown, unknown>, 'format' | 'scan'>

export interface LoadedIndex {
  readonly doc: IndexDoc
  readonly etag: string | null
}

const fail = (error: CheckpointError): never => {
  throw new CheckpointFailure(error)
}

/** Reads the index; `null` when there is none. A corrupt one rejects and is left untouched. */
export const loadIndex = async (storage: Storage, key = INDEX_KEY): Promise<LoadedIndex | null> => {
  let info
  try {
    info = await storage.stat(key)
  } catch (e) {
    return fail(storageFailure(e, `cannot stat the index "${key}"`, key))
  }
  if (info === null) return null
  let bytes: Uint8Array
  try {
    bytes = await storage.read(key)
  } catch (e) {
    if (asStorageError(e)?._tag === 'NotFound') return null
    return fail(storageFailure(e, `cannot read the index "${key}"`, key))
  }
  const decoded = decodeIndex(bytes, key)
  if (decoded._tag === 'Left') return fail(decoded.left)
  // The etag read by stat may predate the bytes read; a stale etag only makes the next conditional write retry.
  return { doc: decoded.right, etag: info.etag }
}

export interface IndexWriter {
  /** The last index this writer read or wrote. */
  current(): LoadedIndex | null
  /**
   * Applies `change` to the newest index and writes it atomically. Where the storage supports
   * conditional writes, a concurrent writer's update is never overwritten: on a precondition
   * failure the index is re-read and `change` applied again.
   */
  update(change: (doc: IndexDoc) => IndexDoc, empty: () => IndexDoc): Promise<IndexDoc>
}

export const indexWriter = (
  storage: Storage,
  initial: LoadedIndex | null,
  log: (line: string) => void = () => undefined,
  key = INDEX_KEY,
  maxAttempts = 16,
): IndexWriter => {
  let loaded = initial
  return {
    current: () => loaded,
    async update(change, empty) {
      for (let attempt = 1; ; attempt++) {
        const next = change(loaded?.doc ?? empty())
        const etag = loaded?.etag ?? null
        try {
          // The final capabilities: an adapter may probe them at its first write (fs: hard links; S3: conditions).
          const { ifAbsent, ifMatch } = await storage.open()
          const options = etag === null ? (ifAbsent ? { ifAbsent: true } : {}) : ifMatch ? { ifMatch: etag } : {}
          const info = await storage.write(key, encodeIndex(next), options)
          loaded = { doc: next, etag: info.etag }
          return next
        } catch (e) {
          const tag = asStorageError(e)?._tag
          if (tag !== 'PreconditionFailed' && tag !== 'AlreadyExists')
            return fail(storageFailure(e, `cannot write the index "${key}"`, key))
          if (attempt >= maxAttempts)
            return fail({
              _tag: 'Conflict',
              message: `the index "${key}" kept changing under this writer: ${maxAttempts} conditional writes failed; nothing was overwritten`,
            })
          await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt))
          const reloaded = await loadIndex(storage, key)
          if (reloaded === null && loaded !== null) {
            // Deleted under this writer: recreate it from what this writer knows, never from nothing, so that no
            // checkpoint it listed is orphaned. The write is create-only, so an index another writer made wins.
            log(
              `Warning: the index "${key}" was deleted while this writer ran; recreating it from the ${loaded.doc.checkpoints.length} checkpoint(s) this writer knows`,
            )
            loaded = { doc: loaded.doc, etag: null }
          } else loaded = reloaded
        }
      }
    },
  }
}

/**
 * Whether an index holding `entry` can be read back: entry data a file carries (a planted one, say) may nest deeper
 * than the index allows, and an index written with it would be refused as corrupt at every later opening.
 */
const fitsIndex = (entry: Entry): boolean => {
  try {
    const text = new TextDecoder().decode(encodeIndex({ ...emptyIndex(entry.policyState), checkpoints: [entry] }))
    return jsonDepth(text, MAX_INDEX_DEPTH) <= MAX_INDEX_DEPTH
  } catch {
    return false // too deep even to encode
  }
}

/**
 * An index rebuilt in memory from the checkpoints the serializers' `scan` find, in save order; nothing is
 * written. Its ranking is the one the newest checkpoint recorded. `null` when none can scan or none is found.
 * A checkpoint whose entry data would nest the index deeper than it may be is not adopted.
 */
export const scanIndex = async (storage: Storage, serializers: ReadonlyArray<Scanner>): Promise<IndexDoc | null> => {
  const checkpoints: Entry[] = []
  let ranking: CheckpointMeta['ranking']
  for (const serializer of serializers) {
    if (serializer.scan === undefined) continue
    for (const { path, files, meta } of await serializer.scan(storage)) {
      const entry = entryOf(serializer.format, path, meta, files)
      if (!fitsIndex(entry)) continue
      checkpoints.push(entry)
      if (meta.ranking !== undefined && (ranking === undefined || checkpoints.every((c) => c.time <= meta.time))) ranking = meta.ranking
    }
  }
  if (checkpoints.length === 0) return null
  checkpoints.sort(bySaveOrder)
  return { ...emptyIndex(checkpoints.at(-1)!.policyState), checkpoints, ...(ranking !== undefined ? { ranking } : {}) }
}

/**
 * Rebuilds a lost index from the checkpoints `serializer.scan` finds and writes it (only if no index appeared
 * meanwhile). `null` when the serializer cannot scan or finds nothing.
 */
export const rebuildIndex = async <S, R>(storage: Storage, serializer: Serializer<S, R>, key = INDEX_KEY): Promise<LoadedIndex | null> => {
  const doc = await scanIndex(storage, [serializer])
  if (doc === null) return null
  try {
    const info = await storage.write(key, encodeIndex(doc), (await storage.open()).ifAbsent ? { ifAbsent: true } : {})
    return { doc, etag: info.etag }
  } catch (e) {
    if (asStorageError(e)?._tag === 'AlreadyExists') return loadIndex(storage, key)
    return fail(storageFailure(e, `cannot write the rebuilt index "${key}"`, key))
  }
}

/**
 * For readers (restores, the CLI): the index, or when there is none, one rebuilt in memory by a scan, without
 * writing anything, and said through `log`. `rebuilt` tells which. `null` when there is neither.
 */
export const readIndexOrScan = async (
  storage: Storage,
  serializers: ReadonlyArray<Scanner>,
  log: (line: string) => void,
  where = 'the storage',
): Promise<{ readonly doc: IndexDoc; readonly rebuilt: boolean } | null> => {
  const loaded = await loadIndex(storage)
  if (loaded !== null) return { doc: loaded.doc, rebuilt: false }
  const doc = await scanIndex(storage, serializers)
  if (doc === null) return null
  log(
    `No index (${INDEX_KEY}) in ${where}: rebuilt it in memory from ${doc.checkpoints.length} checkpoint(s) found by a scan; nothing was written (its checksums are taken now: it shows complete checkpoints, not whether their bytes changed since they were saved)`,
  )
  return { doc, rebuilt: true }
}
