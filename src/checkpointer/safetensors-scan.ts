import * as E from '#fp-ts/Either.js'
import type { Storage } from '../storage/storage.js'
import { SAFETENSORS_EXTENSION, SHARD_NAME } from '../tensors/shard-names.js'
import { checkpointMetaFromJson } from './checkpoint-meta.js'
import { digestStream } from './checksum.js'
import { mapBounded, SCAN_CONCURRENCY } from './map-bounded.js'
import { readSafetensorsHead } from './safetensors-head.js'
import type { CheckpointMeta, ScannedCheckpoint } from './serializer.js'
import { scanShards } from './sharded-safetensors.js'

/**
 * The safetensors serializer's `scan` (a lost index rebuilt): every single-file and sharded checkpoint in `storage`
 * whose header carries ckpt's entry data under `metaKey`, with fresh checksums.
 */
export const scanSafetensors = async (storage: Storage, metaKey: string): Promise<ReadonlyArray<ScannedCheckpoint>> => {
  const listed = await storage.list()
  const sharded = await scanShards(storage, listed, metaKey, parseMeta)
  const keys = listed.filter((k) => k.endsWith(SAFETENSORS_EXTENSION))
  const found = async (key: string, raw: string | null): Promise<ScannedCheckpoint | null> => {
    const meta = raw === null ? null : parseMeta(raw)
    if (meta === null) return null // not a ckpt checkpoint, or unreadable: not ours to index
    const { size, sha256 } = await digestStream(await storage.readStream(key))
    return { path: key, files: [{ key, size, sha256 }], meta }
  }
  // Headers that fit the first read, 16 files at once; larger ones (up to 100 MB each) one file at a time after.
  const first = await mapBounded(keys, SCAN_CONCURRENCY, async (key) => {
    const raw = await entryDataOf(storage, metaKey, key, false)
    return raw === LARGE ? LARGE : found(key, raw)
  })
  const scanned: Array<ScannedCheckpoint | null> = []
  for (const [i, r] of first.entries()) {
    const key = keys[i] as string
    scanned.push(r === LARGE ? await found(key, (await entryDataOf(storage, metaKey, key, true)) as string | null) : r)
  }
  return onePerPath([...scanned.filter((s) => s !== null), ...sharded])
}

/** A header longer than the first read: read later, one file at a time. */
const LARGE = Symbol('large header')

/**
 * The ckpt entry data in the header of the safetensors file at `key`, or null when it has none or is not a valid
 * safetensors file (as far as its header tells); LARGE, unread, when its header is longer than the first read and
 * `large` is false.
 */
const entryDataOf = async (storage: Storage, metaKey: string, key: string, large: boolean): Promise<string | null | typeof LARGE> => {
  const head = await readSafetensorsHead(storage, key, large)
  if (head === null) return LARGE
  if (E.isLeft(head) || !isSingleFile(key, head.right.header.metadata)) return null
  return head.right.header.metadata?.get(metaKey) ?? null
}

/** The CheckpointMeta a ckpt safetensors file carries, or null when it is not one. */
const parseMeta = (raw: string): CheckpointMeta | null => {
  try {
    return checkpointMetaFromJson(JSON.parse(raw))
  } catch {
    return null
  }
}

/**
 * Whether the safetensors file at `key`, with header `metadata`, can be a single-file checkpoint: not a shard, which is
 * found through its index. ckpt writes `"format"` into its shards' metadata only, so a file named as a HF shard
 * (`-00001-of-00002`) without it is a single file whose filepath looks like a shard's.
 */
const isSingleFile = (key: string, metadata: ReadonlyMap<string, string> | null | undefined): boolean =>
  !SHARD_NAME.test(key) || metadata?.has('format') !== true

/** Single-file and sharded checkpoints found by a scan, one per path: of two at one path (a cut-short overwrite), the newer. */
const onePerPath = (found: ReadonlyArray<ScannedCheckpoint>): ScannedCheckpoint[] => {
  const byPath = new Map<string, ScannedCheckpoint>()
  for (const s of found) {
    const other = byPath.get(s.path)
    if (other === undefined || other.meta.time <= s.meta.time) byPath.set(s.path, s)
  }
  return [...byPath.values()]
}
