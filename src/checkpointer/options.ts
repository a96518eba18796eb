import * as E from '#fp-ts/Either.js'
import { configError as policyConfigError, configIssue, type AnyRule, type PolicyConfig, type PolicyOptions } from '../policy/index.js'
import { decodePolicyOptionsBeside } from '../policy/options.js'
import type { Storage } from '../storage/storage.js'
import type { CheckpointError } from './errors.js'
import type { Serializer } from './serializer.js'
import { decodeMaxShardSize } from './sharded-names.js'

/** Options of the Checkpointer itself, beside the policy's and retention's. */
export interface CheckpointerOwnOptions<Snapshot, Restored> {
  /** Where checkpoints and the index go. Required. */
  readonly storage: Storage
  /** How a snapshot becomes files. Default: safetensors. */
  readonly serializer?: Serializer<Snapshot, Restored>
  /**
   * The default serializer shards as Hugging Face does when a checkpoint's tensors pass this size: bytes, or "5GB",
   * "500MB"… (huggingface_hub's `max_shard_size`). A filepath `…/model.safetensors` then gives
   * `…/model-00001-of-0000N.safetensors` … and `…/model.safetensors.index.json`. Default: never shard.
   */
  readonly maxShardSize?: number | string
  /** Serialise and write in the background; the caller waits only for the snapshot. Default false. */
  readonly async?: boolean
  /**
   * The caller promises not to change the snapshot's arrays until the save completes (immutable tfjs
   * tensors qualify), so no copy is taken. Default false: the snapshot is copied before the call returns.
   */
  readonly immutableSnapshots?: boolean
  /** This process's rank among several writers; only rank 0 writes. Default 0. */
  readonly rank?: number
  /** Overrides the rank rule: true writes, false never writes. Default `rank === 0`. */
  readonly isChief?: boolean
  /** On a path clash, save as `name-v1.ext`, `name-v2.ext`… (Lightning) instead of overwriting (Keras). Default false. */
  readonly enableVersionCounter?: boolean
  /** Replaces `saveFreq` as the trigger (see docs/custom-rules.md). */
  readonly trigger?: AnyRule
  /** Where verbose lines and warnings go. Default: `console.log`. */
  readonly log?: (line: string) => void
  /**
   * Take the folder's writer lock (`ckpt-writer.lock`) before the first write, so that a second writer process
   * fails clearly instead of deleting this one's checkpoints. Default true. Readers never take it.
   */
  readonly writerLock?: boolean
  /** A lock whose owner has not shown it is alive for this long (ms) is taken over. Default 15 minutes. */
  readonly lockStaleAfter?: number
}

export type CheckpointerOptions<Snapshot, Restored> = PolicyOptions & CheckpointerOwnOptions<Snapshot, Restored>

export interface CheckpointerConfig<Snapshot, Restored> {
  readonly policy: PolicyConfig
  readonly storage: Storage
  readonly serializer: Serializer<Snapshot, Restored> | undefined
  /** Bytes; null when the default serializer never shards. */
  readonly maxShardSize: number | null
  readonly async: boolean
  readonly immutableSnapshots: boolean
  readonly isChief: boolean
  readonly enableVersionCounter: boolean
  readonly trigger: AnyRule | undefined
  readonly log: (line: string) => void
  readonly writerLock: boolean
  readonly lockStaleAfter: number
}

/** The Checkpointer's own options, in the order an unknown option's message lists them after the policy's. */
export const checkpointerOwnKeys = [
  'storage',
  'serializer',
  'maxShardSize',
  'async',
  'immutableSnapshots',
  'rank',
  'isChief',
  'enableVersionCounter',
  'trigger',
  'log',
  'writerLock',
  'lockStaleAfter',
] as const

const configError = (option: string, value: unknown, accepted: string): CheckpointError =>
  policyConfigError([configIssue(option, value, accepted)])

const isStorage = (u: unknown): u is Storage =>
  typeof u === 'object' &&
  u !== null &&
  ['write', 'read', 'list', 'remove', 'stat'].every((m) => typeof (u as Record<string, unknown>)[m] === 'function')

/**
 * Splits the Checkpointer's own options from the policy's and decodes both; every error names the option. An unknown
 * option's message lists the policy's options and `ownKeys`: the own options the caller's entry point takes (the tfjs
 * callback sets `serializer` itself, so it does not list it).
 */
export const decodeCheckpointerOptions = <Snapshot, Restored>(
  input: unknown,
  ownKeys: ReadonlyArray<string> = checkpointerOwnKeys,
): E.Either<CheckpointError, CheckpointerConfig<Snapshot, Restored>> => {
  if (typeof input !== 'object' || input === null) return E.left(configError('(options)', input, 'an object of Checkpointer options'))
  const all = input as Record<string, unknown>
  const rest = Object.create(null) as Record<string, unknown>
  for (const [k, v] of Object.entries(all)) if (!(checkpointerOwnKeys as ReadonlyArray<string>).includes(k)) rest[k] = v

  const { storage, serializer, async, immutableSnapshots, rank, isChief, enableVersionCounter, trigger, log, writerLock, lockStaleAfter } =
    all
  const maxShardSize = decodeMaxShardSize(all.maxShardSize)
  if (E.isLeft(maxShardSize)) return maxShardSize
  if (!isStorage(storage))
    return E.left(configError('storage', storage, 'a Storage, e.g. fsStorage(dir), memoryStorage() or s3Storage({...})'))
  if (
    serializer !== undefined &&
    (typeof serializer !== 'object' || serializer === null || typeof (serializer as Serializer<unknown>).write !== 'function')
  )
    return E.left(configError('serializer', serializer, 'a Serializer { format, capture, write, read }'))
  if (serializer !== undefined && maxShardSize.right !== null)
    return E.left(
      configError(
        'maxShardSize',
        all.maxShardSize,
        'no maxShardSize beside a serializer: it configures the default one; pass safetensorsSerializer({ maxShardSize }) as the serializer',
      ),
    )
  for (const [name, v] of [
    ['async', async],
    ['immutableSnapshots', immutableSnapshots],
    ['isChief', isChief],
    ['enableVersionCounter', enableVersionCounter],
    ['writerLock', writerLock],
  ] as const)
    if (v !== undefined && typeof v !== 'boolean') return E.left(configError(name, v, 'true or false'))
  if (rank !== undefined && !(typeof rank === 'number' && Number.isSafeInteger(rank) && rank >= 0))
    return E.left(configError('rank', rank, 'an integer >= 0'))
  if (lockStaleAfter !== undefined && !(typeof lockStaleAfter === 'number' && Number.isFinite(lockStaleAfter) && lockStaleAfter > 0))
    return E.left(configError('lockStaleAfter', lockStaleAfter, 'a positive number of milliseconds'))
  if (log !== undefined && typeof log !== 'function') return E.left(configError('log', log, 'a function (line: string) => void'))

  const policy = decodePolicyOptionsBeside(rest, ownKeys)
  if (E.isLeft(policy)) return policy
  for (const [option, path] of [
    ['filepath', policy.right.filepath],
    ['lastFilepath', policy.right.lastFilepath],
  ] as const)
    if (maxShardSize.right !== null && path !== null && !path.endsWith('.safetensors'))
      return E.left(
        configError(
          option,
          path,
          'a template ending in ".safetensors" with maxShardSize (shards are named after it, as Hugging Face names them)',
        ),
      )
  return E.right({
    policy: policy.right,
    storage,
    serializer: serializer as Serializer<Snapshot, Restored> | undefined,
    maxShardSize: maxShardSize.right,
    async: async === true,
    immutableSnapshots: immutableSnapshots === true,
    isChief: isChief === undefined ? (rank ?? 0) === 0 : isChief === true,
    enableVersionCounter: enableVersionCounter === true,
    trigger: trigger as AnyRule | undefined,
    log: (log as ((line: string) => void) | undefined) ?? ((line: string) => console.log(line)),
    writerLock: writerLock !== false,
    lockStaleAfter: lockStaleAfter ?? 15 * 60_000,
  })
}
