import * as E from '#fp-ts/Either.js'
import { configError, configIssue } from '../policy/index.js'
import type { Storage } from '../storage/storage.js'
import { encodeSafetensorsOrThrow, type Metadata, type Tensor, type Tensors } from '../tensors/index.js'
import { INDEX_SUFFIX, SAFETENSORS_EXTENSION } from '../tensors/shard-names.js'
import { planShards, shardIndexJson, type ShardPlan } from '../tensors/shard-plan.js'
import { digestOf, digestStream } from './checksum.js'
import { CheckpointFailure, fail } from './errors.js'
import { mapBounded } from './map-bounded.js'
import { readSafetensorsHead } from './safetensors-head.js'
import { checkNames } from './safetensors-ranged.js'
import type { ArtifactReader, ArtifactWriter, CheckpointMeta, ScannedCheckpoint } from './serializer.js'
import { shardIndexKey } from './sharded-names.js'
import { checkShards, decodeShardIndex, MAX_SHARD_INDEX_BYTES, type ShardIndex } from './shard-index.js'

/** The artifact path of the index at `key`, or null when `key` is not a safetensors index's. */
const artifactOf = (key: string): string | null => {
  if (!key.endsWith(INDEX_SUFFIX)) return null
  const path = key.slice(0, -INDEX_SUFFIX.length)
  return path.endsWith(SAFETENSORS_EXTENSION) ? path : null
}

const folderOf = (path: string): string => path.slice(0, path.lastIndexOf('/') + 1)

/** Refuses a path HF's naming cannot shard: the shards and the index are named from `<stem>.safetensors`. */
const assertShardable = (path: string): void => {
  if (!path.endsWith(SAFETENSORS_EXTENSION))
    fail(
      configError([
        configIssue(
          'filepath',
          path,
          `a name ending in "${SAFETENSORS_EXTENSION}" with maxShardSize`,
          'shards are named after it, as Hugging Face names them',
        ),
      ]),
    )
}

/**
 * Writes a checkpoint's tensors at `path`: one safetensors file with `metadata` when `maxShardSize` is null or the
 * tensors fit in one shard (HF then writes one file too), HF's shards and index otherwise, each shard with
 * `metadata` and `"format": "pt"` (huggingface_hub's loader refuses a shard without it).
 */
export const writeTensors = async (
  writer: ArtifactWriter,
  path: string,
  tensors: Tensors,
  metadata: Metadata,
  maxShardSize: number | null,
): Promise<void> => {
  if (maxShardSize !== null) {
    assertShardable(path)
    const sizes = Object.entries(tensors).map(([name, t]) => [name, t.data.byteLength] as const)
    const plan = planShards(sizes, maxShardSize, path.slice(path.lastIndexOf('/') + 1))
    if (plan.shards.length > 1) return writeShards(writer, path, tensors, plan, { format: 'pt', ...metadata })
  }
  await writer.writeFile(path, encodeSafetensorsOrThrow(tensors, metadata))
}

/**
 * Writes `tensors` at `path` as the shards of `plan`, each with `metadata`, then the index: the index is the commit
 * point of the files (a reader that finds it finds every shard complete). Every shard is encoded (validated) before
 * the first is written, so invalid tensors write nothing.
 */
export const writeShards = async (
  writer: ArtifactWriter,
  path: string,
  tensors: Tensors,
  plan: ShardPlan,
  metadata: Metadata,
): Promise<void> => {
  const folder = folderOf(path)
  const files = plan.shards.map((shard) => {
    const subset = Object.create(null) as Record<string, Tensor>
    for (const name of shard.names) subset[name] = tensors[name]!
    return { key: folder + shard.file, chunks: encodeSafetensorsOrThrow(subset, metadata) }
  })
  for (const f of files) await writer.writeFile(f.key, f.chunks)
  await writer.writeFile(shardIndexKey(path), new TextEncoder().encode(shardIndexJson(plan)))
}

/** The tensors of `index` in its order, from each shard's tensors. */
export const inIndexOrder = (index: ShardIndex, byShard: ReadonlyMap<string, Readonly<Record<string, Tensor>>>): Record<string, Tensor> => {
  const out = Object.create(null) as Record<string, Tensor>
  for (const [name, shard] of index.weightMap) out[name] = byShard.get(shard)![name]!
  return out
}

/** Reads the tensors of one safetensors file (those named, when `names` is not null), verified. */
export type ReadTensorFile = (
  reader: ArtifactReader,
  key: string,
  names: ReadonlyArray<string> | null,
) => Promise<Readonly<Record<string, Tensor>>>

/**
 * Reads the sharded checkpoint at `path` through a verifying reader: the index, then each shard with `readFile`
 * (into its tensors' own arrays). The index must name exactly the entry's other files, and the shards hold exactly
 * the tensors it puts in each; anything else is a `CorruptCheckpoint`. With `names`, only those tensors, from only
 * the shards the index puts them in (a name it lacks is `UnknownTensors`); each must be in its shard.
 */
export const readShards = async (
  reader: ArtifactReader,
  path: string,
  names: ReadonlyArray<string> | null,
  readFile: ReadTensorFile,
): Promise<Record<string, Tensor>> => {
  const key = shardIndexKey(path)
  const corrupt = (message: string) =>
    new CheckpointFailure({ _tag: 'CorruptCheckpoint', path, message: `checkpoint "${path}": ${message}`, fallback: null })
  const record = reader.files.find((f) => f.key === key)
  if (record !== undefined && record.size > MAX_SHARD_INDEX_BYTES)
    throw corrupt(`its index "${key}" is ${record.size} bytes, more than an index may be (${MAX_SHARD_INDEX_BYTES})`)
  const index = decodeShardIndex(key, await reader.readFile(key))
  if (E.isLeft(index)) throw corrupt(index.left.message)
  const recorded = reader.files.map((f) => f.key).filter((k) => k !== key)
  const named = [...index.right.shards.keys()]
  if (recorded.length !== named.length || named.some((k) => !recorded.includes(k)))
    throw corrupt(`its index names the shards ${named.join(', ')}, but the checkpoint's entry records ${recorded.join(', ')}`)
  if (names !== null) return readSomeShards(reader, path, index.right, names, readFile, corrupt)
  const byShard = new Map<string, Readonly<Record<string, Tensor>>>()
  for (const shard of named) byShard.set(shard, await inShard(readFile(reader, shard, null), shard, corrupt))
  const checked = checkShards(
    index.right,
    named.map((shard) => ({ shard, names: Object.keys(byShard.get(shard)!) })),
  )
  if (E.isLeft(checked)) throw corrupt(checked.left.message)
  return inIndexOrder(index.right, byShard)
}

/** `read` of one shard, a tensor the index puts in it and it lacks reported as the sharded checkpoint's corruption. */
const inShard = async <A>(read: Promise<A>, shard: string, corrupt: (message: string) => CheckpointFailure): Promise<A> => {
  try {
    return await read
  } catch (e) {
    if (e instanceof CheckpointFailure && e.error._tag === 'UnknownTensors')
      throw corrupt(`shard "${shard}" lacks tensor ${JSON.stringify(e.error.unknown[0])} that the index puts in it`)
    throw e
  }
}

/** The tensors `names` of a sharded checkpoint, each read from the shard its index puts it in. */
const readSomeShards = async (
  reader: ArtifactReader,
  path: string,
  index: ShardIndex,
  names: ReadonlyArray<string>,
  readFile: ReadTensorFile,
  corrupt: (message: string) => CheckpointFailure,
): Promise<Record<string, Tensor>> => {
  checkNames(path, names, [...index.weightMap.keys()])
  const wanted = new Map<string, string[]>()
  for (const name of new Set(names)) {
    const shard = index.weightMap.get(name)!
    const list = wanted.get(shard)
    if (list === undefined) wanted.set(shard, [name])
    else list.push(name)
  }
  const out = Object.create(null) as Record<string, Tensor>
  for (const [shard, list] of wanted) {
    const tensors = await inShard(readFile(reader, shard, list), shard, corrupt)
    for (const name of list) out[name] = tensors[name]!
  }
  return out
}

/**
 * Finds the sharded checkpoints ckpt wrote among `keys` (a listing of `storage`), to rebuild a lost index: every
 * `<name>.safetensors.index.json` whose shards all exist, hold exactly the tensors it maps to them and carry the same
 * ckpt entry data under `metaKey`. Each is one checkpoint at `<name>.safetensors`, with fresh checksums of its shards
 * and its index. Anything else (Python's own sharded folders, half-written saves) is left out.
 */
export const scanShards = async (
  storage: Storage,
  keys: ReadonlyArray<string>,
  metaKey: string,
  parseMeta: (raw: string) => CheckpointMeta | null,
): Promise<ScannedCheckpoint[]> => {
  const present = new Set(keys)
  // One index at a time: an index is read whole (up to 10 MiB) and a shard's header may be long (up to 100 MB), so
  // as with long single-file headers, at most one is in flight.
  const found = await mapBounded(keys, 1, async (key): Promise<ScannedCheckpoint | null> => {
    const path = artifactOf(key)
    if (path === null) return null
    const bytes = await storage.read(key, { start: 0, end: MAX_SHARD_INDEX_BYTES + 1 })
    const index = decodeShardIndex(key, bytes)
    if (E.isLeft(index) || index.right.shards.size === 0) return null
    const shards = [...index.right.shards.keys()]
    if (!shards.every((k) => present.has(k))) return null
    let raw: string | null = null
    const contents = []
    for (const shard of shards) {
      const head = await readSafetensorsHead(storage, shard)
      if (E.isLeft(head)) return null
      const data = head.right.header.metadata?.get(metaKey) ?? null
      // Shards of two saves (an overwrite cut short) differ in their entry data: not one checkpoint.
      if (data === null || (raw !== null && data !== raw)) return null
      raw = data
      contents.push({ shard, names: head.right.header.tensors.map((t) => t.name) })
    }
    const meta = raw === null ? null : parseMeta(raw)
    if (meta === null || E.isLeft(checkShards(index.right, contents))) return null
    const files = []
    for (const shard of shards) files.push({ key: shard, ...(await digestStream(await storage.readStream(shard))) })
    return { path, files: [...files, { key, ...digestOf(bytes) }], meta }
  })
  return found.filter((s) => s !== null)
}
