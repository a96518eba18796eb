import { verifyingReader } from '../artifact-reader.js'
import { restoreCandidates, type Which } from '../candidates.js'
import { fail } from '../errors.js'
import type { Entry } from '../index-file.js'
import { loadIndex } from '../index-store.js'
import type { Storage } from '../../storage/storage.js'
import { encodeManifest, MANIFEST_NAME, manifestMembers, type Manifest } from './manifest.js'
import { pumped } from './pumped.js'
import { endOfArchive, memberHeader, padded } from './tar-header.js'

/**
 * One file holding checkpoints: a POSIX tar archive (docs/checkpointer.md, "Export and import"). Iterate it for its
 * bytes (each iteration reads the checkpoints again, through the verifying reader), or take `stream()` for a web
 * ReadableStream (a download, a `fetch` body).
 */
export interface CheckpointArchive extends AsyncIterable<Uint8Array> {
  /** The checkpoints it holds, in commit order. */
  readonly checkpoints: ReadonlyArray<Entry>
  /** Its length in bytes, known before any is read (a `Content-Length`, a progress bar). */
  readonly size: number
  /** The same bytes as a web ReadableStream (Node 20 and browsers). */
  stream(): ReadableStream<Uint8Array>
}

/** Seconds since the epoch, as tar records a file's time. */
const seconds = (ms: number): number => Math.floor(ms / 1000)

/** Zero bytes padding a member of `size` bytes to whole blocks (none when it already ends on one). */
const padding = (size: number): Uint8Array | null => (padded(size) === size ? null : new Uint8Array(padded(size) - size))

/** `chunks` as a web ReadableStream, pulled one chunk at a time; cancelling it stops the iteration. */
export const toReadableStream = (chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> => {
  let iterator: AsyncIterator<Uint8Array> | null = null
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= chunks[Symbol.asyncIterator]()
      const r = await iterator.next()
      if (r.done === true) controller.close()
      else controller.enqueue(r.value)
    },
    async cancel() {
      await iterator?.return?.()
    },
  })
}

/** The archive of `manifest`'s checkpoints, their files read from `storage`. */
const archiveOf = (storage: Storage, manifest: Manifest): CheckpointArchive => {
  const json = encodeManifest(manifest)
  const time = seconds(manifest.checkpoints.reduce((t, e) => Math.max(t, e.time), 0))
  const members = manifestMembers(manifest)
  const size =
    memberHeader(MANIFEST_NAME, json.byteLength, time).byteLength +
    padded(json.byteLength) +
    members.reduce((n, m) => n + memberHeader(m.key, m.record.size, seconds(m.entry.time)).byteLength + padded(m.record.size), 0) +
    endOfArchive().byteLength
  async function* bytes(): AsyncGenerator<Uint8Array, void, undefined> {
    yield memberHeader(MANIFEST_NAME, json.byteLength, time)
    yield json
    const pad = padding(json.byteLength)
    if (pad !== null) yield pad
    const readers = new Map<Entry, ReturnType<typeof verifyingReader>>()
    for (const { key, record, entry } of members) {
      yield memberHeader(key, record.size, seconds(entry.time))
      let reader = readers.get(entry)
      if (reader === undefined) {
        readers.clear() // one checkpoint's reader at a time: its block lists are not needed after it
        reader = verifyingReader(storage, entry)
        readers.set(entry, reader)
      }
      const read = reader
      // Through the verifying reader: a file that does not match the index fails the export (CorruptCheckpoint)
      // before the archive's end is written, so a corrupt checkpoint is never exported as a complete archive.
      yield* pumped((emit) =>
        read.readFileStream(key, async (chunks) => {
          for await (const c of chunks) await emit(c)
        }),
      )
      const p = padding(record.size)
      if (p !== null) yield p
    }
    yield endOfArchive()
  }
  return {
    checkpoints: manifest.checkpoints,
    size,
    [Symbol.asyncIterator]: () => bytes(),
    stream: () => toReadableStream({ [Symbol.asyncIterator]: () => bytes() }),
  }
}

const indexOf = async (storage: Storage) => {
  const loaded = await loadIndex(storage)
  if (loaded === null)
    return fail({
      _tag: 'NoSuchCheckpoint',
      which: 'latest',
      message: `${storage.name} has no checkpoint index (ckpt-index.json) to export from`,
    })
  return loaded.doc
}

/** `exportCheckpoint` (documented in index.ts, which loads this module lazily). */
export const exportCheckpoint = async (storage: Storage, which: Which = 'latest'): Promise<CheckpointArchive> => {
  const doc = await indexOf(storage)
  const entry = restoreCandidates(doc.checkpoints, which, doc.ranking ?? { monitor: '', mode: 'min' })[0]
  if (entry === undefined)
    return fail({
      _tag: 'NoSuchCheckpoint',
      which,
      message:
        doc.checkpoints.length === 0
          ? 'there are no checkpoints to export'
          : `no checkpoint "${which}" to export; the index has: ${doc.checkpoints
              .slice(-20)
              .map((e) => e.path)
              .join(', ')}${doc.checkpoints.length > 20 ? ` (the last 20 of ${doc.checkpoints.length})` : ''}`,
    })
  return archiveOf(storage, { checkpoints: [entry], policyState: entry.policyState, ranking: doc.ranking })
}

/** `exportRun` (documented in index.ts, which loads this module lazily). */
export const exportRun = async (storage: Storage): Promise<CheckpointArchive> => {
  const doc = await indexOf(storage)
  return archiveOf(storage, { checkpoints: doc.checkpoints, policyState: doc.policyState, ranking: doc.ranking })
}
