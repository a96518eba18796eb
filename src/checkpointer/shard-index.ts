import * as E from '#fp-ts/Either.js'
import { JSON_DEPTH, parseBoundedJson } from '../json/bounded-json.js'
import { keyProblem } from '../storage/keys.js'
import { SAFETENSORS_EXTENSION } from '../tensors/shard-names.js'

/** What can be wrong with a Hugging Face sharded checkpoint: its index (`model.safetensors.index.json`) or its shards. */
export type ShardedSafetensorsError =
  /** The index is not one: too large, not UTF-8 JSON, too deep, not `{"weight_map": {name: file}}`, or a shard name escapes its folder. */
  | { readonly _tag: 'InvalidShardIndex'; readonly key: string; readonly message: string }
  /** The index names a shard that is not in the storage. */
  | { readonly _tag: 'ShardMissing'; readonly key: string; readonly shard: string; readonly message: string }
  /** A shard is not a valid safetensors file (the reason is the safetensors reader's). */
  | { readonly _tag: 'InvalidShard'; readonly key: string; readonly shard: string; readonly message: string }
  /** The index puts a tensor in a shard that does not hold it. */
  | { readonly _tag: 'ShardTensorMissing'; readonly key: string; readonly shard: string; readonly tensor: string; readonly message: string }
  /** Two shards hold a tensor of the same name. */
  | {
      readonly _tag: 'TensorInTwoShards'
      readonly key: string
      readonly tensor: string
      readonly shards: readonly [string, string]
      readonly message: string
    }
  /** A shard holds a tensor the index does not put there. */
  | {
      readonly _tag: 'ShardTensorNotIndexed'
      readonly key: string
      readonly shard: string
      readonly tensor: string
      readonly message: string
    }

/** huggingface_hub's own limit on an index file (`MAX_INDEX_FILE_SIZE`): the index is metadata, never a payload. */
export const MAX_SHARD_INDEX_BYTES = 10 * 1024 * 1024

/** A decoded index, its shard names resolved to storage keys beside it. */
export interface ShardIndex {
  /** The index's own key. */
  readonly key: string
  /** Its `metadata` object (`total_size`, and whatever else the writer put there), or null when it has none. */
  readonly metadata: Readonly<Record<string, unknown>> | null
  /** Tensor name to shard key, in the index's order. */
  readonly weightMap: ReadonlyMap<string, string>
  /** Shard keys, in the order the index first names them, each with the tensors the index puts there. */
  readonly shards: ReadonlyMap<string, ReadonlyArray<string>>
}

const invalid = (key: string, message: string): ShardedSafetensorsError => ({
  _tag: 'InvalidShardIndex',
  key,
  message: `sharded safetensors index "${key}" ${message}`,
})

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
const shown = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s)

/**
 * Why a shard name cannot be used, as huggingface_hub refuses it (absolute, a drive, `..`, not `.safetensors`),
 * or as a storage key would (see `keyProblem`); null when it can.
 */
const shardNameProblem = (folder: string, file: string): string | null => {
  if (!file.endsWith(SAFETENSORS_EXTENSION)) return `does not end in "${SAFETENSORS_EXTENSION}"`
  if (file.startsWith('/') || /^[A-Za-z]:/.test(file) || file.split(/[/\\]/).includes('..'))
    return 'is not a relative path without ".." inside the index\'s folder'
  const problem = keyProblem(folder + file)
  return problem === null ? null : `gives the storage key ${shown(folder + file)}, which ${problem}`
}

/**
 * Decodes the bytes of the index at `key`, as huggingface_hub's loader reads one (`_load_sharded_checkpoint`): at
 * most {@link MAX_SHARD_INDEX_BYTES}, UTF-8 JSON, an object whose `weight_map` maps tensor names to shard file
 * names, relative to the index's folder and ending in `.safetensors`. JSON nesting is bounded (`JSON_DEPTH.record`).
 */
export const decodeShardIndex = (key: string, bytes: Uint8Array): E.Either<ShardedSafetensorsError, ShardIndex> => {
  if (bytes.byteLength > MAX_SHARD_INDEX_BYTES)
    return E.left(invalid(key, `is larger than ${MAX_SHARD_INDEX_BYTES} bytes, huggingface_hub's limit for an index`))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return E.left(invalid(key, 'is not UTF-8 text'))
  }
  const json = parseBoundedJson(text, JSON_DEPTH.record)
  if (E.isLeft(json)) return E.left(invalid(key, `is not valid JSON: ${json.left}`))
  const doc = json.right
  if (!isRecord(doc) || !isRecord(doc.weight_map))
    return E.left(invalid(key, 'is not a JSON object with a "weight_map" object ({"weight_map": {tensor name: shard file}})'))
  const folder = key.slice(0, key.lastIndexOf('/') + 1)
  const weightMap = new Map<string, string>()
  const shards = new Map<string, string[]>()
  for (const [tensor, file] of Object.entries(doc.weight_map)) {
    if (typeof file !== 'string')
      return E.left(
        invalid(key, `maps tensor ${shown(tensor)} to ${JSON.stringify(file)?.slice(0, 80) ?? String(file)}; expected a shard file name`),
      )
    const problem = shardNameProblem(folder, file)
    if (problem !== null) return E.left(invalid(key, `names the shard ${shown(file)}, which ${problem}`))
    const shard = folder + file
    weightMap.set(tensor, shard)
    const names = shards.get(shard)
    if (names === undefined) shards.set(shard, [tensor])
    else names.push(tensor)
  }
  return E.right({ key, metadata: isRecord(doc.metadata) ? doc.metadata : null, weightMap, shards })
}

/**
 * Whether the shards hold exactly the tensors the index puts in each: no tensor in two shards, every tensor the
 * index names in its shard, no tensor a shard holds that the index puts elsewhere or nowhere.
 */
export const checkShards = (
  index: ShardIndex,
  contents: ReadonlyArray<{ readonly shard: string; readonly names: Iterable<string> }>,
): E.Either<ShardedSafetensorsError, void> => {
  const holder = new Map<string, string>()
  for (const { shard, names } of contents)
    for (const tensor of names) {
      const other = holder.get(tensor)
      if (other !== undefined)
        return E.left({
          _tag: 'TensorInTwoShards',
          key: index.key,
          tensor,
          shards: [other, shard],
          message: `sharded safetensors "${index.key}": tensor ${shown(tensor)} is in two shards, "${other}" and "${shard}"`,
        })
      holder.set(tensor, shard)
    }
  for (const [tensor, shard] of index.weightMap)
    if (holder.get(tensor) !== shard)
      return E.left({
        _tag: 'ShardTensorMissing',
        key: index.key,
        shard,
        tensor,
        message: `sharded safetensors "${index.key}": the index puts tensor ${shown(tensor)} in shard "${shard}", which does not hold it`,
      })
  for (const [tensor, shard] of holder)
    if (index.weightMap.get(tensor) !== shard) {
      const where = index.weightMap.get(tensor)
      return E.left({
        _tag: 'ShardTensorNotIndexed',
        key: index.key,
        shard,
        tensor,
        message: `sharded safetensors "${index.key}": shard "${shard}" holds tensor ${shown(tensor)}, which the index ${where === undefined ? 'does not name' : `puts in "${where}"`}`,
      })
    }
  return E.right(undefined)
}
