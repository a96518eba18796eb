/**
 * Hugging Face's names for a sharded safetensors checkpoint: its shards and its index, beside the unsharded name.
 * Apart from the sharding itself (shard-plan.ts), which only the code that writes shards needs.
 */

/** The extension HF's safetensors file names end with; a sharded artifact's name must end with it. */
export const SAFETENSORS_EXTENSION = '.safetensors'
/** What HF appends to the unsharded file name to name the index: `model.safetensors.index.json`. */
export const INDEX_SUFFIX = '.index.json'

/** `filename_pattern.format(suffix=...)` for a pattern `<stem>{suffix}.safetensors`, given the unsharded name `<stem>.safetensors`. */
export const shardFileName = (unsharded: string, index: number, count: number): string =>
  `${unsharded.slice(0, -SAFETENSORS_EXTENSION.length)}-${String(index + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}${SAFETENSORS_EXTENSION}`

/** The names HF gives shards (`-00001-of-00004`, five digits or more): such a file is found only through its index. */
export const SHARD_NAME = /-\d{5,}-of-\d{5,}\.safetensors$/
