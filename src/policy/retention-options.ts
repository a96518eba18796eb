import * as E from '#fp-ts/Either.js'
import { Bool, PositiveFinite, PositiveInt, isPlainObject, refined, type Named } from './codecs.js'
import { configError, configIssue, unknownOption, type ConfigError, type ConfigIssue } from './errors.js'

/**
 * Which saved checkpoints to keep. A checkpoint survives if any configured rule keeps it; with no
 * rule configured every checkpoint is kept. The best and the newest are never deleted.
 */
export interface RetentionOptions {
  /** Keep the k best by the monitor; -1 keeps all, 0 keeps none by this rule (Lightning's `save_top_k`). */
  readonly saveTopK?: number
  /** Keep the newest n (Orbax / tf.train.CheckpointManager `max_to_keep`). */
  readonly maxToKeep?: number
  /** Keep checkpoints whose 1-based epoch is a multiple of n (Orbax `keep_period`, by epoch). */
  readonly keepPeriod?: number
  /** Keep one checkpoint per this many milliseconds (Orbax `keep_time_interval`). */
  readonly keepTimeInterval?: number
  /** The newest checkpoint survives whatever the rules say. Default true; false keeps exactly what the rules keep. */
  readonly keepLatest?: boolean
  /** The best checkpoint by the monitor survives whatever the rules say. Default true; false keeps exactly what the rules keep. */
  readonly keepBest?: boolean
}

const TopK = refined(
  '-1 (keep all), 0, or a positive integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= -1,
)

/** The check of each retention option, by name. */
export const retentionCodecs: { readonly [K in keyof Required<RetentionOptions>]: Named<Required<RetentionOptions>[K]> } = {
  saveTopK: TopK,
  maxToKeep: PositiveInt,
  keepPeriod: PositiveInt,
  keepTimeInterval: PositiveFinite,
  keepLatest: Bool,
  keepBest: Bool,
}

export const retentionKeys = Object.keys(retentionCodecs) as ReadonlyArray<keyof RetentionOptions>

/** Decodes the retention keys present in `input` into issues (for a combined decoder) and options. */
export const collectRetention = (input: Record<string, unknown>, issues: ConfigIssue[]): RetentionOptions => {
  const out = Object.create(null) as Record<string, number | boolean>
  for (const key of retentionKeys) {
    if (!(key in input) || input[key] === undefined) continue
    const value = input[key]
    const check = retentionCodecs[key] as Named<number | boolean>
    if (!check.is(value)) issues.push(configIssue(key, value, check.name))
    else out[key] = value
  }
  return out
}

/**
 * Decodes retention options alone; unknown keys are rejected.
 *
 * @example decodeRetentionOptions({ maxToKeep: 3 }) // Right({ maxToKeep: 3 })
 */
export const decodeRetentionOptions = (input: unknown): E.Either<ConfigError, RetentionOptions> => {
  if (input === undefined) return E.right({})
  if (!isPlainObject(input)) return E.left(configError([configIssue('(retention options)', input, 'an object')]))
  const issues: ConfigIssue[] = []
  for (const key of Object.keys(input))
    if (!(retentionKeys as ReadonlyArray<string>).includes(key)) issues.push(unknownOption(key, input[key], retentionKeys))
  const options = collectRetention(input, issues)
  return issues.length > 0 ? E.left(configError(issues)) : E.right(options)
}
