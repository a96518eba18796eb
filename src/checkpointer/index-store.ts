import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import { asStorageError } from '../storage/errors.js'
import { CheckpointFailure, storageFailure, type CheckpointError } from './errors.js'
import {
  checkIndex,
  emptyIndex,
  encodeIndex,
  isUnchecked,
  MAX_INDEX_DEPTH,
  type Entry,
  type IndexDoc,
  type IndexHead,
  type SegmentRef,
} from './index-file.js'
import { INDEX_KEY, MAX_SEQ, SEGMENT_PREFIX, segmentSeq } from './index-keys.js'
import { checkSegment, type Segment } from './index-segment.js'
import { segmentStream } from './index-segment-stream.js'
import { readAhead, type ReadAhead } from './read-ahead.js'
import { emptyState, indexState, type IndexChange, type IndexState, type IndexView } from './index-state.js'
import { jsonDepth } from '../json/bounded-json.js'
import { bySaveOrder, entryOf } from './entries.js'
import type { CheckpointMeta, Serializer } from './serializer.js'

/** What an index rebuild needs of a serializer: its format and its scan. */
export type Scanner = Pick<Serializer<unknown, unknown>, 'format' | 'scan'>

export interface LoadedIndex {
  /** The logical index: every live checkpoint, from the index file and its segments. */
  readonly doc: IndexDoc
  readonly etag: string | null
  readonly state: IndexState
}

const fail = (error: CheckpointError): never => {
  throw new CheckpointFailure(error)
}

/** io-ts and the index's schema, imported only to word why an index or segment fails the hand check. */
const schema = () => import('./index-schema.js')

/** An index file's bytes decoded: checked by hand, and where that fails, by io-ts (imported then), which words why. */
export const decodeIndexBytes = async (bytes: Uint8Array, key: string): Promise<E.Either<CheckpointError, IndexHead>> => {
  const checked = checkIndex(bytes, key)
  return isUnchecked(checked) ? (await schema()).decodeIndex(bytes, key) : checked
}

const loaded = (state: IndexState, etag: string | null): LoadedIndex => ({
  get doc() {
    return state.doc
  },
  etag,
  state,
})

/** Reads of the index file and its segments that may meet a concurrent compaction, before the mismatch counts as corruption. */
const MAX_READS = 5

/**
 * A segment in ckpt's own layout, streamed and checked as it passes, one chunk read ahead of the decoding (one
 * storage call a chunk, each waiting for a loaded machine's scheduler otherwise); null when it is not one that checks
 * (see segmentStream).
 */
const streamSegment = async (storage: Storage, ref: SegmentRef): Promise<E.Either<string, Segment> | null> => {
  const decoder = segmentStream(ref)
  let source: ReadAhead | null = null
  try {
    // One byte past the recorded size, as below.
    source = readAhead(await storage.readStream(ref.key, { start: 0, end: ref.size + 1 }))
    for (let c = await source.next(); c !== null; c = await source.next()) if (!decoder.push(c)) break
  } catch (e) {
    if (asStorageError(e)?._tag === 'NotFound') return E.left('is missing')
    return fail(storageFailure(e, `cannot read the index segment "${ref.key}"`, ref.key))
  } finally {
    await source?.close()
  }
  const segment = decoder.end()
  return segment === null ? null : E.right(segment)
}

/**
 * A segment read and checked, or why not (missing, another size, another checksum, not a segment). Streamed first;
 * one that does not check that way is read again whole, and checked (`checkSegment`, then `decodeSegment` where that
 * fails) to decide and word why.
 */
const readSegment = async (storage: Storage, ref: SegmentRef): Promise<E.Either<string, Segment>> => {
  const streamed = await streamSegment(storage, ref)
  if (streamed !== null) return streamed
  let bytes: Uint8Array
  try {
    // One byte past the recorded size: a longer object is told from the right one without reading all of it.
    bytes = await storage.read(ref.key, { start: 0, end: ref.size + 1 })
  } catch (e) {
    if (asStorageError(e)?._tag === 'NotFound') return E.left('is missing')
    return fail(storageFailure(e, `cannot read the index segment "${ref.key}"`, ref.key))
  }
  const checked = checkSegment(ref, bytes)
  return isUnchecked(checked) ? (await schema()).decodeSegment(ref, bytes) : checked
}

/**
 * Reads the index: the index file, then the segments it names (kept from `known` when already read: they never
 * change). `null` when there is none. A corrupt one rejects and is left untouched. A segment that is missing or
 * does not match while the index file changed was compacted away meanwhile: the read starts again.
 */
export const loadIndex = async (storage: Storage, key = INDEX_KEY, known: ReadonlyArray<Segment> = []): Promise<LoadedIndex | null> => {
  const cache = new Map(known.map((s) => [s.ref.key, s]))
  for (let attempt = 1; ; attempt++) {
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
    const decoded = await decodeIndexBytes(bytes, key)
    if (decoded._tag === 'Left') return fail(decoded.left)
    const head = decoded.right
    const segments: Segment[] = []
    let problem: string | null = null
    for (const ref of head.segments) {
      const hit = cache.get(ref.key)
      const read =
        hit !== undefined && hit.ref.sha256 === ref.sha256 && hit.ref.size === ref.size ? E.right(hit) : await readSegment(storage, ref)
      if (E.isLeft(read)) {
        problem = `names the segment "${ref.key}", which ${read.left}`
        break
      }
      segments.push({ ...read.right, ref })
    }
    if (problem !== null) {
      const now = await storage.stat(key).catch(() => null)
      if (attempt < MAX_READS && now?.etag !== info.etag) continue
      return fail({ _tag: 'CorruptIndex', key, message: `index "${key}" ${problem}; it was left untouched` })
    }
    // The etag read by stat may predate the bytes read; a stale etag only makes the next conditional write retry.
    return loaded(indexState(head, segments), info.etag)
  }
}

/** The highest `seq` of any segment stored (0 when none), so that a new index file names its segments after them. */
const storedSeq = async (storage: Storage): Promise<number> => {
  let keys: ReadonlyArray<string>
  try {
    keys = await storage.list(SEGMENT_PREFIX)
  } catch (e) {
    return fail(storageFailure(e, 'cannot list the index segments', SEGMENT_PREFIX))
  }
  return keys.reduce((max, k) => Math.max(max, segmentSeq(k) ?? 0), 0)
}

/**
 * Deletes segments no index write will name: not named by the index file and older than its `seq` (a writer
 * writes segments named for the next `seq` before its index file, so newer ones may be about to be named).
 * Resolves to how many there were; `before` runs first when there is any (the writer takes its lock).
 */
export const sweepSegments = async (storage: Storage, state: IndexState, before: () => Promise<void>): Promise<number> => {
  const named = new Set(state.head.segments.map((s) => s.key))
  const keys = await storage
    .list(SEGMENT_PREFIX)
    .catch((e: unknown) => fail(storageFailure(e, 'cannot list the index segments', SEGMENT_PREFIX)))
  const garbage = keys.filter((k) => !named.has(k) && (segmentSeq(k) ?? Infinity) <= state.head.seq)
  if (garbage.length === 0) return 0
  await before()
  for (const k of garbage)
    await storage.remove(k).catch((e: unknown) => fail(storageFailure(e, `cannot remove the index segment "${k}"`, k)))
  return garbage.length
}

export interface IndexWriter {
  /** The index as this writer last read or wrote it; null before there is one. */
  current(): IndexState | null
  /** The same, with the etag of its index file. */
  loaded(): LoadedIndex | null
  /**
   * Applies `change` to the newest index and writes it atomically. Where the storage supports
   * conditional writes, a concurrent writer's update is never overwritten: on a precondition
   * failure the index is re-read and `change` applied again.
   */
  update(change: (view: IndexView) => IndexChange, empty: () => IndexDoc): Promise<IndexView>
}

export const indexWriter = (
  storage: Storage,
  initial: LoadedIndex | null,
  log: (line: string) => void = () => undefined,
  key = INDEX_KEY,
  maxAttempts = 16,
): IndexWriter => {
  let state: IndexState | null = initial?.state ?? null
  let etag: string | null = initial?.etag ?? null
  /** The index file was deleted under this writer: the next write recreates it whole, from what this writer knows. */
  let recreate = false
  /** Segments merged away by an index write that landed: nothing names them now. One left behind is swept on a later open. */
  const removeObsolete = async (keys: ReadonlyArray<string>): Promise<void> => {
    for (const k of keys)
      await storage
        .remove(k)
        .catch((e: unknown) => log(`Warning: cannot remove the index segment "${k}" (removed later): ${(e as Error).message}`))
  }
  return {
    current: () => state,
    loaded: () => (state === null ? null : loaded(state, etag)),
    async update(change, empty) {
      for (let attempt = 1; ; attempt++) {
        // The final capabilities: an adapter may probe them at its first write (fs: hard links; S3: conditions).
        const { ifAbsent, ifMatch } = await storage
          .open()
          .catch((e: unknown) => fail(storageFailure(e, `cannot write the index "${key}"`, key)))
        const base = state ?? emptyState(empty())
        const delta = change(base)
        // A new index file names its segments after any stored (left by a deleted index), so the sweep can tell.
        const seq = etag === null ? Math.max(base.head.seq, await storedSeq(storage)) + 1 : undefined
        const plan = base.plan(recreate ? { ...delta, reset: delta.reset ?? base.doc.checkpoints } : delta, seq)
        if (plan.head.seq > MAX_SEQ)
          return fail({
            _tag: 'CorruptIndex',
            key,
            message: `index "${key}" has counted ${plan.head.seq - 1} writes; ckpt writes at most ${MAX_SEQ}, so nothing was written`,
          })
        for (const w of plan.writes)
          await storage
            .write(w.key, w.bytes)
            .catch((e: unknown) => fail(storageFailure(e, `cannot write the index segment "${w.key}"`, w.key)))
        const options = etag === null ? (ifAbsent ? { ifAbsent: true } : {}) : ifMatch ? { ifMatch: etag } : {}
        try {
          const info = await storage.write(key, encodeIndex(plan.head), options)
          base.commit(plan)
          state = base
          etag = info.etag
          recreate = false
          await removeObsolete(plan.obsolete)
          return base
        } catch (e) {
          const tag = asStorageError(e)?._tag
          if (tag !== 'PreconditionFailed' && tag !== 'AlreadyExists')
            // Written or not, the segments stay: the index file may name them (a failed fsync after its rename).
            return fail(storageFailure(e, `cannot write the index "${key}"`, key))
          // A refused condition can hide a write that landed: the answer was lost and the client sent the same
          // request again, which the landed write now fails. An index naming a segment of this attempt is that write
          // (segment keys are random per attempt): the change is committed, and its segments must stay.
          if (plan.writes.length > 0) {
            const now = await loadIndex(storage, key, state?.segments)
            const ours = new Set(plan.writes.map((w) => w.key))
            if (now !== null && now.state.head.segments.some((s) => ours.has(s.key))) {
              state = now.state
              etag = now.etag
              recreate = false
              await removeObsolete(plan.obsolete)
              return state
            }
          }
          // Not written: the segments this attempt wrote are named by nothing, and are nobody else's.
          for (const w of plan.writes) await storage.remove(w.key).catch(() => undefined)
          if (attempt >= maxAttempts)
            return fail({
              _tag: 'Conflict',
              message: `the index "${key}" kept changing under this writer: ${maxAttempts} conditional writes failed; nothing was overwritten`,
            })
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)))
          const reloaded = await loadIndex(storage, key, state?.segments)
          if (reloaded === null && state !== null) {
            // Deleted under this writer: recreate it from what this writer knows, never from nothing, so that no
            // checkpoint it listed is orphaned. The write is create-only, so an index another writer made wins.
            log(
              `Warning: the index "${key}" was deleted while this writer ran; recreating it from the ${state.size} checkpoint(s) this writer knows`,
            )
            etag = null
            recreate = true
          } else {
            state = reloaded?.state ?? null
            etag = reloaded?.etag ?? null
            recreate = false
          }
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
  // Create-only: of two rebuilds, or a rebuild and a save, the first index written wins and the others read it.
  const writer = indexWriter(storage, null, undefined, key, 1)
  try {
    await writer.update(
      () => ({ reset: doc.checkpoints }),
      () => doc,
    )
    return writer.loaded()
  } catch (e) {
    if (e instanceof CheckpointFailure && e.error._tag === 'Conflict') return loadIndex(storage, key)
    throw e
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
  const found = await loadIndex(storage)
  if (found !== null) return { doc: found.doc, rebuilt: false }
  const doc = await scanIndex(storage, serializers)
  if (doc === null) return null
  log(
    `No index (${INDEX_KEY}) in ${where}: rebuilt it in memory from ${doc.checkpoints.length} checkpoint(s) found by a scan; nothing was written (its checksums are taken now: it shows complete checkpoints, not whether their bytes changed since they were saved)`,
  )
  return { doc, rebuilt: true }
}

export type { IndexChange, IndexState, IndexView }
