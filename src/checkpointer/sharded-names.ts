import * as E from '#fp-ts/Either.js'
import { configError, configIssue } from '../policy/index.js'
import { INDEX_SUFFIX, SAFETENSORS_EXTENSION } from '../tensors/shard-names.js'
import { parseShardSize, SHARD_SIZE_ACCEPTED } from '../tensors/shard-size.js'
import type { CheckpointError } from './errors.js'

// What a Checkpointer needs to know of Hugging Face's sharded layout without reading or writing shards (that code,
// sharded-safetensors.ts, is loaded at its first use): the option, the names, and which entry is sharded.

/**
 * A sharded safetensors checkpoint at `path` (`…/model.safetensors`) is Hugging Face's layout beside it:
 * `…/model-00001-of-0000N.safetensors` … and the index `…/model.safetensors.index.json`, written last.
 */
export const shardIndexKey = (path: string): string => path + INDEX_SUFFIX

/** The `maxShardSize` option: null when unset, else bytes (see `parseShardSize` for the strings accepted). */
export const decodeMaxShardSize = (u: unknown): E.Either<CheckpointError, number | null> => {
  if (u === undefined) return E.right(null)
  const size = parseShardSize(u)
  return E.isRight(size) ? size : E.left(configError([configIssue('maxShardSize', u, SHARD_SIZE_ACCEPTED, size.left)]))
}

/** True when the entry's files are a sharded artifact at `path` (its index, and no file at `path` itself). */
export const isSharded = (files: ReadonlyArray<{ readonly key: string }>, path: string): boolean =>
  files.some((f) => f.key === shardIndexKey(path)) && !files.some((f) => f.key === path)

/**
 * With `maxShardSize`, `enableVersionCounter` versions the folder of a Hugging Face folder (`run/model.safetensors`
 * gives `run-v1/model.safetensors`), so that it stays the folder `from_pretrained` reads; other names as usual.
 */
export const versionedShardedPath = (path: string, n: number, versioned: (path: string, n: number) => string): string => {
  const slash = path.lastIndexOf('/')
  return slash > 0 && path.slice(slash + 1) === `model${SAFETENSORS_EXTENSION}`
    ? `${versioned(path.slice(0, slash), n)}${path.slice(slash)}`
    : versioned(path, n)
}

/** The keys whose presence means a sharded artifact is at `path`, beside `path` itself: its index. */
export const shardedClaims = (path: string): ReadonlyArray<string> => [shardIndexKey(path)]
