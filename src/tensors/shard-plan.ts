/**
 * Hugging Face's sharding, exactly: `huggingface_hub.serialization._base.split_state_dict_into_shards_factory`
 * (behind `split_torch_state_dict_into_shards`, `save_torch_state_dict` and transformers' `save_pretrained`), and the
 * index `save_torch_state_dict` writes. Pure: tensors are given as names and byte sizes.
 */
import { shardFileName } from './shard-names.js'

/** One shard: its file name (beside the index) and the names of its tensors, in the order they were given. */
export interface PlannedShard {
  readonly file: string
  readonly names: ReadonlyArray<string>
}

export interface ShardPlan {
  /** In HF's order, which is not always the tensors' order: a tensor over the limit gets a shard of its own at once. */
  readonly shards: ReadonlyArray<PlannedShard>
  /** HF's `metadata.total_size`: the sum of the tensors' byte sizes. */
  readonly totalSize: number
}

/**
 * Splits tensors, in the order given, into shards of at most `maxShardSize` bytes, as HF does: a tensor that would
 * take the current shard over the limit closes it; a tensor over the limit by itself gets a shard of its own,
 * appended at once (the current shard stays open). No tensor shares storage with another here (HF's
 * `get_storage_id` groups those; ckpt writes every tensor's bytes apart, as HF's numpy splitter does).
 * One shard (or none) is HF's unsharded case: the file keeps `unsharded` as its name.
 */
export const planShards = (
  tensors: ReadonlyArray<readonly [name: string, bytes: number]>,
  maxShardSize: number,
  unsharded: string,
): ShardPlan => {
  const groups: string[][] = []
  let current: string[] = []
  let currentSize = 0
  let totalSize = 0
  for (const [name, size] of tensors) {
    if (size > maxShardSize) {
      totalSize += size
      groups.push([name])
      continue
    }
    if (currentSize + size > maxShardSize) {
      groups.push(current)
      current = []
      currentSize = 0
    }
    current.push(name)
    currentSize += size
    totalSize += size
  }
  if (current.length > 0) groups.push(current)
  const shards =
    groups.length <= 1
      ? [{ file: unsharded, names: groups[0] ?? [] }]
      : groups.map((names, i) => ({ file: shardFileName(unsharded, i, groups.length), names }))
  return { shards, totalSize }
}

/** A string as Python's `json.dumps` writes it (`ensure_ascii=True`): every character outside space to `~` escaped. */
const pythonString = (s: string): string => {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) out += s[i]
    else if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += '\\\\'
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x08) out += '\\b'
    else if (c === 0x0c) out += '\\f'
    else out += `\\u${c.toString(16).padStart(4, '0')}`
  }
  return `${out}"`
}

/**
 * The index of a sharded plan, byte for byte as `huggingface_hub.save_torch_state_dict` writes it:
 * `json.dump({"metadata": {"total_size": …}, "weight_map": {tensor: shard file}}, f, indent=2)`.
 */
export const shardIndexJson = (plan: ShardPlan): string => {
  const entries = plan.shards.flatMap((s) => s.names.map((name) => `    ${pythonString(name)}: ${pythonString(s.file)}`))
  return `{\n  "metadata": {\n    "total_size": ${plan.totalSize}\n  },\n  "weight_map": {\n${entries.join(',\n')}\n  }\n}`
}
