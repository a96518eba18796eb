import * as E from '#fp-ts/Either.js'
import { asStorageError } from '../storage/errors.js'
import type { Storage } from '../storage/storage.js'
import { tensorTooLarge, type SafetensorsError } from '../tensors/errors.js'
import { decodeSafetensorsStream } from '../tensors/decode-stream.js'
import { MAX_TENSOR_BYTES, type Tensor } from '../tensors/index.js'
import { fail, storageFailure } from './errors.js'
import { readSafetensorsHead } from './safetensors-head.js'
import { inIndexOrder } from './sharded-safetensors.js'
import { checkShards, decodeShardIndex, MAX_SHARD_INDEX_BYTES } from './shard-index.js'

/** A sharded safetensors checkpoint as read by {@link readShardedSafetensors}. */
export interface ShardedSafetensors {
  /** Every tensor, each in an array of its own, in the index's order. A null-prototype object. */
  readonly tensors: Record<string, Tensor>
  /** The index's `metadata` (`total_size`, and e.g. transformers' `total_parameters`), or null when it has none. */
  readonly metadata: Readonly<Record<string, unknown>> | null
  /** The shards' storage keys, in the order the index first names them. */
  readonly shards: ReadonlyArray<string>
}

/** `readShardedSafetensors` (documented in read-sharded.ts, which loads this module lazily). */
export const readShardedSafetensors = async (storage: Storage, indexKey: string): Promise<ShardedSafetensors> => {
  const cannot = (key: string, doing: string) => (e: unknown) => fail(storageFailure(e, `${doing} "${key}"`, key))
  const bytes = await storage.read(indexKey, { start: 0, end: MAX_SHARD_INDEX_BYTES + 1 }).catch(cannot(indexKey, 'cannot read the index'))
  const index = decodeShardIndex(indexKey, bytes)
  if (E.isLeft(index)) return fail(index.left)
  const shards = [...index.right.shards.keys()]
  const invalidShard = (shard: string, why: string) =>
    fail({
      _tag: 'InvalidShard',
      key: indexKey,
      shard,
      message: `sharded safetensors "${indexKey}": shard "${shard}" is not a valid safetensors file: ${why}`,
    })

  // Headers first: a wrong index is refused before any tensor is allocated.
  const sizes = new Map<string, number>()
  const heads = []
  for (const shard of shards) {
    const head = await readSafetensorsHead(storage, shard).catch((e: unknown) => {
      if (asStorageError(e)?._tag !== 'NotFound') return cannot(shard, 'cannot read the shard')(e)
      return fail({
        _tag: 'ShardMissing',
        key: indexKey,
        shard,
        message: `sharded safetensors "${indexKey}": it names the shard "${shard}", which is not in ${storage.name}`,
      })
    })
    if (E.isLeft(head)) return invalidShard(shard, head.left.message)
    const large = head.right.header.tensors.find((t) => t.end - t.begin > MAX_TENSOR_BYTES)
    if (large !== undefined)
      return fail(
        tensorTooLarge(large.name, large.end - large.begin, MAX_TENSOR_BYTES) as Extract<
          SafetensorsError,
          { readonly _tag: 'TensorTooLarge' }
        >,
      )
    sizes.set(shard, head.right.fileLength)
    heads.push({ shard, names: head.right.header.tensors.map((t) => t.name) })
  }
  const planned = checkShards(index.right, heads)
  if (E.isLeft(planned)) return fail(planned.left)

  const byShard = new Map<string, Record<string, Tensor>>()
  for (const shard of shards) {
    const size = sizes.get(shard)!
    const chunks = await storage.readStream(shard, { start: 0, end: size }).catch(cannot(shard, 'cannot read the shard'))
    const decoded = await decodeSafetensorsStream(chunks, size).catch(cannot(shard, 'cannot read the shard'))
    if (E.isLeft(decoded)) {
      if (decoded.left._tag === 'TensorTooLarge') return fail(decoded.left)
      return invalidShard(shard, decoded.left.message)
    }
    byShard.set(shard, decoded.right.tensors)
  }
  // A shard replaced between its header and its data is checked again on what was read.
  const read = checkShards(
    index.right,
    shards.map((shard) => ({ shard, names: Object.keys(byShard.get(shard)!) })),
  )
  if (E.isLeft(read)) return fail(read.left)
  return { tensors: inIndexOrder(index.right, byShard), metadata: index.right.metadata, shards }
}
