import * as E from '#fp-ts/Either.js'
import { configError, configIssue, type ConfigIssue } from '../../policy/index.js'
import { asStorageError } from '../../storage/errors.js'
import type { Storage } from '../../storage/storage.js'
import { streamCheck } from '../artifact-reader.js'
import { blockListKey, isBlockListKey } from '../blocks.js'
import { inSaveOrder } from '../entries.js'
import { fail, storageFailure } from '../errors.js'
import { emptyIndex, type Entry } from '../index-file.js'
import { INDEX_KEY } from '../index-keys.js'
import { decodeIndexBytes, indexWriter, loadIndex, type IndexView } from '../index-store.js'
import { emptyState } from '../index-state.js'
import { acquireWriterLock, type WriterLock } from '../writer-lock.js'
import { invalidArchive, shownValue } from './archive-errors.js'
import { archiveChunks, knownLength, type ArchiveSource } from './archive-source.js'
import { byteSource, type ByteSource } from './byte-source.js'
import { decodeManifest, MANIFEST_NAME, manifestMembers, MAX_MANIFEST_BYTES, type Manifest, type ManifestMember } from './manifest.js'
import { memberHeader, padded, TAR_BLOCK } from './tar-header.js'
import { nextMember, skipPadding, type TarMember } from './tar-read.js'

export interface ImportOptions {
  /** Where warnings go; default `console.log`, as the Checkpointer's. */
  readonly log?: (line: string) => void
  /**
   * Take the folder's writer lock, as a Checkpointer does before writing (default true): a live writer elsewhere
   * makes the import fail with `WriterLocked`.
   */
  readonly writerLock?: boolean
  /** A lock whose owner showed no sign of life for this long (ms) is taken over; default 15 minutes. */
  readonly lockStaleAfter?: number
}

export interface Imported {
  /** The checkpoints written and committed to the target's index, in commit order. */
  readonly imported: ReadonlyArray<Entry>
  /** The archive's checkpoints the target already held, file for file (verified in the archive, not written again). */
  readonly present: ReadonlyArray<Entry>
}

/** The options, checked: a `ConfigError` naming the first wrong one. */
const checkOptions = (o: unknown): void => {
  const issues: ConfigIssue[] = []
  if (typeof o !== 'object' || o === null) issues.push(configIssue('import options', o, 'an object { log?, writerLock?, lockStaleAfter? }'))
  else {
    const { log, writerLock, lockStaleAfter } = o as Record<string, unknown>
    if (log !== undefined && typeof log !== 'function') issues.push(configIssue('log', log, 'a function (line: string) => void'))
    if (writerLock !== undefined && typeof writerLock !== 'boolean') issues.push(configIssue('writerLock', writerLock, 'true or false'))
    if (lockStaleAfter !== undefined && !(typeof lockStaleAfter === 'number' && Number.isFinite(lockStaleAfter) && lockStaleAfter > 0))
      issues.push(configIssue('lockStaleAfter', lockStaleAfter, 'a positive number of milliseconds'))
  }
  if (issues.length > 0) fail(configError(issues))
}

/** Whether two entries hold the same files (keys, sizes and checksums). */
const sameFiles = (a: Entry, b: Entry): boolean => JSON.stringify(a.files) === JSON.stringify(b.files)

const conflict = (path: string, key: string, why: string): never =>
  fail({ _tag: 'ImportConflict', path, key, message: `cannot import checkpoint "${path}": ${why}; nothing was committed` })

/**
 * The archive's checkpoints that `view` lacks, and those it holds already; an import that would replace or share
 * another checkpoint's path or files is an `ImportConflict`. Block lists are named by their contents: sharing one is
 * sharing the same bytes.
 */
const planImport = (view: IndexView, checkpoints: ReadonlyArray<Entry>): { fresh: Entry[]; present: Entry[] } => {
  const fresh: Entry[] = []
  const present: Entry[] = []
  const replacing = new Map(view.replacing.map((e) => [e.path, e]))
  const replacingFiles = new Set(view.replacing.flatMap((e) => e.files.map((f) => f.key)))
  for (const entry of checkpoints) {
    const held = view.get(entry.path)
    if (held !== undefined) {
      if (!sameFiles(held, entry)) conflict(entry.path, entry.path, 'the target holds another checkpoint at that path')
      present.push(entry)
      continue
    }
    if (replacing.has(entry.path))
      conflict(
        entry.path,
        entry.path,
        'the target is overwriting a checkpoint at that path (open it with a Checkpointer first, to settle it)',
      )
    for (const f of entry.files)
      if (!isBlockListKey(f.key) && (view.usesFile(f.key) || replacingFiles.has(f.key)))
        conflict(entry.path, f.key, `its file "${f.key}" is a file of another checkpoint of the target`)
    fresh.push(entry)
  }
  return { fresh, present }
}

/** The manifest: the first member, by name, within its size limit. */
const readManifest = async (source: ByteSource): Promise<Manifest> => {
  const member = await nextMember(source)
  if (member === null) return fail(invalidArchive('first member', 'none (an empty archive)', `"${MANIFEST_NAME}"`, 0))
  if (member.name !== MANIFEST_NAME)
    return fail(invalidArchive('first member', member.name, `"${MANIFEST_NAME}" (an archive made by ckpt's export)`, member.offset))
  if (member.size > MAX_MANIFEST_BYTES)
    return fail(invalidArchive(`size of ${MANIFEST_NAME}`, member.size, `at most ${MAX_MANIFEST_BYTES} bytes`, member.offset))
  const bytes = await source.exact(member.size, `the data of "${MANIFEST_NAME}"`)
  if (bytes === null && member.size > 0)
    return fail(
      invalidArchive(
        'archive length',
        `${source.offset} bytes`,
        `the ${member.size} bytes of ${MANIFEST_NAME}`,
        source.offset,
        'truncated',
      ),
    )
  await skipPadding(source, member.size)
  const data = bytes ?? new Uint8Array(0)
  const manifest = decodeManifest(await decodeIndexBytes(data, MANIFEST_NAME), data.byteLength, member.offset)
  return E.isLeft(manifest) ? fail(manifest.left) : manifest.right
}

/** The next member's header, checked against the member the manifest lists next. */
const expectMember = async (source: ByteSource, m: ManifestMember): Promise<TarMember> => {
  const at = source.offset
  const member = await nextMember(source)
  if (member === null)
    return fail(
      invalidArchive('member', 'the end of the archive', `file "${m.key}" of checkpoint "${m.entry.path}", as ${MANIFEST_NAME} lists`, at),
    )
  if (member.name !== m.key)
    return fail(
      invalidArchive(
        'member name',
        member.name,
        `${shownValue(m.key)}, the next file ${MANIFEST_NAME} lists (of checkpoint "${m.entry.path}")`,
        member.offset,
      ),
    )
  if (member.size !== m.record.size)
    return fail(invalidArchive(`size of "${m.key}"`, member.size, `${m.record.size} bytes, as ${MANIFEST_NAME} records`, member.offset))
  return member
}

/**
 * The member's data, checked against its record as it passes (size, then SHA-256 or block checksums): the stream
 * fails, before it ends, when the data does not match, so a storage's atomic write never lands it. `failed` keeps
 * the reason, which a storage reports wrapped in its own error.
 */
const checkedData = (source: ByteSource, m: ManifestMember, member: TarMember, failed: (e: unknown) => void) => {
  const check = streamCheck(m.record)
  async function* data(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const c of source.take(m.record.size, `the data of "${m.key}"`)) {
        await check.push(c)
        yield c
      }
      const problem = await check.problem(m.record.size)
      if (problem !== null)
        fail(
          invalidArchive(`data of "${m.key}"`, `${m.record.size} bytes`, `the checksums ${MANIFEST_NAME} records`, member.offset, problem),
        )
    } catch (e) {
      failed(e)
      throw e
    }
  }
  return { data: data(), list: () => check.list() }
}

/** `importCheckpoints` (documented in index.ts, which loads this module lazily). */
export const importCheckpoints = async (target: Storage, source: ArchiveSource, options: ImportOptions = {}): Promise<Imported> => {
  checkOptions(options)
  const log = options.log ?? ((line: string) => console.log(line))
  const bytes = byteSource(archiveChunks(source))
  const written: string[] = []
  let lock: WriterLock | null = null
  let committed = false
  try {
    const manifest = await readManifest(bytes)
    // A source of known length that cannot hold the files listed is refused now, not after writing what it holds.
    const length = knownLength(source)
    const needed =
      bytes.offset +
      manifestMembers(manifest).reduce((n, m) => n + memberHeader(m.key, m.record.size, 0).byteLength + padded(m.record.size), 0) +
      2 * TAR_BLOCK
    if (length !== null && length < needed)
      fail(
        invalidArchive(
          'archive length',
          `${length} bytes`,
          `at least ${needed} bytes, for the files ${MANIFEST_NAME} lists`,
          length,
          'truncated',
        ),
      )
    const loaded = await loadIndex(target)
    const index = indexWriter(target, loaded, log)
    const empty = () => emptyIndex(manifest.policyState)
    const plan = planImport(index.current() ?? emptyState(empty()), manifest.checkpoints)
    const fresh = new Set(plan.fresh.flatMap((e) => e.files.map((f) => f.key)))
    let seen = loaded?.etag ?? null
    /** Before a file is written: a save committed since the plan (one of this process shares the lock) may own it now. */
    const stillFresh = async (entry: Entry): Promise<void> => {
      const info = await target
        .stat(INDEX_KEY)
        .catch((e: unknown) => fail(storageFailure(e, `cannot stat the index "${INDEX_KEY}"`, INDEX_KEY)))
      if ((info?.etag ?? null) === seen) return
      const now = await loadIndex(target)
      seen = now?.etag ?? null
      if (now !== null) planImport(now.state, [entry])
    }
    if (plan.fresh.length > 0) {
      await target.open().catch((e: unknown) => fail(storageFailure(e, `cannot open ${target.name} for writing`, '')))
      if (options.writerLock !== false) lock = await acquireWriterLock(target, log, options.lockStaleAfter ?? 15 * 60_000)
    }
    for (const m of manifestMembers(manifest)) {
      const member = await expectMember(bytes, m)
      let why: unknown = null
      const { data, list } = checkedData(bytes, m, member, (e) => (why = e))
      if (!fresh.has(m.key)) for await (const _ of data);
      else {
        await lock?.refresh()
        await stillFresh(m.entry)
        written.push(m.key)
        await target.write(m.key, data).catch((e: unknown) => {
          // The archive's or the source's own failure (a dropped connection), not the storage's wrapping of it.
          if (why !== null) throw why as Error
          return fail(storageFailure(e, `cannot write "${m.key}" of checkpoint "${m.entry.path}"`, m.key))
        })
        const blocks = list()
        if (blocks !== null && 'blocks' in m.record) {
          const key = blockListKey(m.record.blocks.sha256)
          written.push(key)
          await target.write(key, blocks).catch((e: unknown) => fail(storageFailure(e, `cannot write the block list of "${m.key}"`, key)))
        }
      }
      await skipPadding(bytes, m.record.size)
    }
    const at = bytes.offset
    const extra = await nextMember(bytes)
    if (extra !== null) fail(invalidArchive('member', extra.name, `the end of the archive after the files ${MANIFEST_NAME} lists`, at))
    if (plan.fresh.length === 0) return { imported: [], present: plan.present }
    await lock?.refresh()
    let imported: Entry[] = []
    await index.update((view) => {
      // Against the index as it is now: another writer may have committed meanwhile (a conditional write retries).
      imported = planImport(view, plan.fresh).fresh
      return {
        ...inSaveOrder(view, imported, 'after'),
        ...(view.size === 0 ? { policyState: manifest.policyState, ...(manifest.ranking ? { ranking: manifest.ranking } : {}) } : {}),
      }
    }, empty)
    committed = true
    return { imported, present: [...plan.present, ...plan.fresh.filter((e) => !imported.includes(e))] }
  } finally {
    await bytes.close()
    try {
      if (!committed && written.length > 0) await removeUncommitted(target, written, log)
    } finally {
      await lock?.release()
    }
  }
}

/** Removes what a failed import wrote, but any file the target's index names now (a block list shares the same bytes). */
const removeUncommitted = async (target: Storage, written: ReadonlyArray<string>, log: (line: string) => void): Promise<void> => {
  try {
    const now = await loadIndex(target)
    const view = now?.state
    const pending = new Set([...(view?.replacing ?? []), ...(view?.removing ?? [])].flatMap((e) => e.files.map((f) => f.key)))
    for (const key of new Set(written))
      if (view === undefined || (!view.usesFile(key) && !pending.has(key)))
        await target.remove(key).catch((e: unknown) => {
          if (asStorageError(e)?._tag !== 'NotFound') throw e
        })
  } catch (e) {
    log(
      `Warning: the import failed, and removing the files it wrote failed too (they are not checkpoints: no index names them): ${(e as Error).message}`,
    )
  }
}
