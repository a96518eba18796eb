import * as E from '#fp-ts/Either.js'
import type { Ranking } from '../../policy/index.js'
import { blockCount, blockListKey, DIGEST_BYTES, isBlockListKey } from '../blocks.js'
import type { CheckpointError } from '../errors.js'
import { emptyIndex, encodeIndex, isBlockRecord, type Entry, type FileRecord, type IndexHead } from '../index-file.js'
import { invalidArchive, type InvalidArchive } from './archive-errors.js'

/**
 * The first member of a checkpoint archive: an index document in ckpt's own format (docs/format.md), listing only
 * the checkpoints exported, with every file's size and checksums. Not named `ckpt-index.json`, so that extracting
 * an archive into a checkpoint folder cannot replace that folder's index.
 */
export const MANIFEST_NAME = 'ckpt-export.json'

/** Largest manifest read (it is parsed whole): an index of 100,000 checkpoints is about 42 MB. */
export const MAX_MANIFEST_BYTES = 128 << 20

/** What an archive holds, as its manifest says. */
export interface Manifest {
  /** The checkpoints, in commit order. */
  readonly checkpoints: ReadonlyArray<Entry>
  /** The policy's state: the run's (a whole run), or the checkpoint's own (one checkpoint). */
  readonly policyState: unknown
  readonly ranking: Ranking | undefined
}

/** One data member of the archive: a checkpoint file (block lists are not members: an import computes them). */
export interface ManifestMember {
  readonly key: string
  readonly record: FileRecord
  readonly entry: Entry
}

export const encodeManifest = (m: Manifest): Uint8Array =>
  encodeIndex({ ...emptyIndex(m.policyState), checkpoints: m.checkpoints, ...(m.ranking !== undefined ? { ranking: m.ranking } : {}) })

/** The members that follow the manifest, in order: each checkpoint's files as its entry lists them, block lists left out. */
export const manifestMembers = (m: Manifest): ReadonlyArray<ManifestMember> =>
  m.checkpoints.flatMap((entry) => entry.files.filter((f) => !isBlockListKey(f.key)).map((record) => ({ key: record.key, record, entry })))

/** Why an entry's block-list records do not match its block records (one list per distinct list, of the right size), or null. */
const blockListProblem = (entry: Entry): string | null => {
  const expected = new Map<string, number>()
  for (const f of entry.files)
    if (isBlockRecord(f)) {
      if (isBlockListKey(f.key)) return `file "${f.key}" is recorded by blocks under the block lists' folder`
      expected.set(blockListKey(f.blocks.sha256), blockCount(f.size, f.blocks.size) * DIGEST_BYTES)
    }
  const lists = entry.files.filter((f) => isBlockListKey(f.key))
  for (const l of lists) {
    const size = expected.get(l.key)
    if (size === undefined || isBlockRecord(l) || l.size !== size || blockListKey(l.sha256) !== l.key)
      return `"${l.key}" is not the block list of one of its files`
  }
  if (lists.length !== expected.size) return 'a file recorded by blocks has no block list record'
  return null
}

/**
 * The manifest checked, from its bytes (`size` of them) decoded as an index document (`decodeIndexBytes`: the
 * index's own schema and limits: valid keys, none of ckpt's own files): no segments or pending removals, each path
 * once, each file in one checkpoint, and block lists that match their files' records. `offset` is the manifest
 * member's, for errors.
 */
export const decodeManifest = (
  decoded: E.Either<CheckpointError, IndexHead>,
  size: number,
  offset: number,
): E.Either<InvalidArchive, Manifest> => {
  const accepted = 'an index document listing the exported checkpoints (docs/checkpointer.md, "Export and import")'
  const bad = (value: unknown, why: string) => E.left(invalidArchive(MANIFEST_NAME, value, accepted, offset, why))
  if (E.isLeft(decoded)) return bad(`${size} bytes`, decoded.left.message)
  const head = decoded.right
  if (head.segments.length > 0 || head.dropped.length > 0)
    return bad(`${head.segments.length} segments`, 'an export lists its checkpoints itself')
  if (head.replacing.length > 0 || head.removing.length > 0)
    return bad(`${head.replacing.length + head.removing.length} pending entries`, 'an export lists live checkpoints only')
  const paths = new Set<string>()
  const keys = new Map<string, string>()
  for (const entry of head.checkpoints) {
    if (paths.has(entry.path)) return bad(entry.path, 'a checkpoint path listed twice')
    paths.add(entry.path)
    const problem = blockListProblem(entry)
    if (problem !== null) return bad(entry.path, problem)
    for (const f of entry.files) {
      if (isBlockListKey(f.key)) continue
      const other = keys.get(f.key)
      if (other !== undefined) return bad(f.key, `a file of both "${other}" and "${entry.path}"`)
      keys.set(f.key, entry.path)
    }
  }
  return E.right({ checkpoints: head.checkpoints, policyState: head.policyState, ranking: head.ranking })
}
