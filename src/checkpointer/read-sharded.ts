import type { Storage } from '../storage/storage.js'
import { safetensorsCode } from './safetensors-load.js'
import type { ShardedSafetensors } from './sharded-reader.js'

export type { ShardedSafetensors }

/**
 * Reads a Hugging Face sharded safetensors checkpoint from `storage`: the index at `indexKey` (e.g.
 * `"model.safetensors.index.json"`, as `transformers`' `save_pretrained(..., max_shard_size=...)` and
 * `huggingface_hub.save_torch_state_dict` write it) and the shards it names, relative to its folder.
 *
 * Every shard's header is read and checked against the index before any tensor is allocated; then each shard is
 * streamed into its tensors' own arrays, so shards of any size are read in bounded chunks. Nothing is verified
 * against a ckpt index (there is none): for ckpt's own checkpoints, use a Checkpointer's `restore`.
 *
 * Rejects with a `CheckpointFailure` whose `_tag` says what is wrong: `InvalidShardIndex` (over 10 MiB, not UTF-8
 * JSON, nested deeper than 64, no `weight_map` of strings, a shard name with `..`, absolute or not `.safetensors`),
 * `ShardMissing`, `InvalidShard` (not a valid safetensors file), `ShardTensorMissing` (a tensor the index puts in a
 * shard that does not hold it), `TensorInTwoShards`, `ShardTensorNotIndexed`, `TensorTooLarge`, or `StorageFailed`
 * (the index itself missing, or any other storage failure).
 *
 * @example
 * const { tensors } = await readShardedSafetensors(fsStorage('./llama'), 'model.safetensors.index.json')
 */
export const readShardedSafetensors = async (storage: Storage, indexKey: string): Promise<ShardedSafetensors> =>
  (await safetensorsCode()).readShardedSafetensors(storage, indexKey)
