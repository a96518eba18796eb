import * as E from '#fp-ts/Either.js'
import { parseTemplate, type Template } from '../format/index.js'
import { inferDirection, type Direction } from './auto-mode.js'
import { Bool, NonEmptyString, NonNegativeFinite, NonNegativeInt, NotNaN, isPlainObject, orNull, refined, type Named } from './codecs.js'
import { configError, configIssue, unknownOption, type ConfigError, type ConfigIssue } from './errors.js'
import { collectRetention, retentionKeys, type RetentionOptions } from './retention-options.js'
import { hasRetentionRule } from './retention.js'
import { collectSaveLast, saveLastKeys, type SaveLastConfig, type SaveLastOptions } from './save-last.js'

/** How often the policy considers saving: at each epoch end, or every n training batches. */
export type SaveFreq = 'epoch' | number

/** The options as a user writes them (camelCase of Keras's ModelCheckpoint), plus retention. */
export interface PolicyOptions extends RetentionOptions, SaveLastOptions {
  readonly filepath: string
  readonly monitor?: string
  readonly mode?: 'auto' | 'min' | 'max'
  readonly saveBestOnly?: boolean
  readonly saveWeightsOnly?: boolean
  readonly saveFreq?: SaveFreq
  readonly initialValueThreshold?: number | null
  readonly verbose?: number
  readonly minDelta?: number
}

/** A checked configuration, defaults filled in, mode resolved and filepath compiled. */
export interface PolicyConfig extends SaveLastConfig {
  readonly filepath: string
  /** The compiled filepath template; the shell renders nothing itself. */
  readonly template: Template
  /** The field names the template needs. */
  readonly templateFields: ReadonlyArray<string>
  readonly monitor: string
  /** The mode as given. */
  readonly requestedMode: 'auto' | 'min' | 'max'
  /** The resolved direction. */
  readonly mode: Direction
  readonly saveBestOnly: boolean
  readonly saveWeightsOnly: boolean
  readonly saveFreq: SaveFreq
  readonly initialValueThreshold: number | null
  readonly verbose: number
  readonly minDelta: number
  readonly retention: RetentionOptions
  /** Options that are accepted but have no effect in this combination (e.g. a threshold without saveBestOnly). */
  readonly warnings: ReadonlyArray<string>
}

const Mode = refined("'auto', 'min' or 'max'", (u): u is 'auto' | 'min' | 'max' => u === 'auto' || u === 'min' || u === 'max')
const SaveFreqCodec = refined<SaveFreq>(
  "'epoch' or a positive integer number of batches",
  (u): u is SaveFreq => u === 'epoch' || (typeof u === 'number' && Number.isSafeInteger(u) && u >= 1),
)

/** The check of each policy option, by name. */
export const policyCodecs = {
  filepath: NonEmptyString,
  monitor: NonEmptyString,
  mode: Mode,
  saveBestOnly: Bool,
  saveWeightsOnly: Bool,
  saveFreq: SaveFreqCodec,
  initialValueThreshold: orNull('a number (not NaN) or null', NotNaN),
  verbose: NonNegativeInt,
  minDelta: NonNegativeFinite,
} as const

const policyKeys = Object.keys(policyCodecs) as ReadonlyArray<keyof typeof policyCodecs>
/** Every option of the policy, retention and `saveLast`: what {@link decodePolicyOptions} accepts. */
export const policyOptionKeys: ReadonlyArray<string> = [...policyKeys, ...retentionKeys, ...saveLastKeys]

/**
 * Fields of a template that no event can ever fill, given the save frequency:
 * - `batch` when saving at epoch ends (epoch logs carry no `batch`);
 * - `val_*` when saving every n batches (batch logs carry no validation metrics).
 */
export const unfillableFields = (fields: ReadonlyArray<string>, saveFreq: SaveFreq): ReadonlyArray<string> =>
  saveFreq === 'epoch' ? fields.filter((f) => f === 'batch') : fields.filter((f) => f.startsWith('val_'))

/**
 * Decodes user options into a {@link PolicyConfig}. Every problem is reported at once, each naming
 * the option, the value received and what is accepted. File extensions are not checked here:
 * serializers own formats. An unknown key's message suggests the nearest option.
 *
 * @example
 * decodePolicyOptions({ filepath: 'ckpt-{epoch:02d}.keras', saveBestOnly: true })
 * // Right({ monitor: 'val_loss', mode: 'min', saveFreq: 'epoch', ... })
 */
export const decodePolicyOptions = (input: unknown): E.Either<ConfigError, PolicyConfig> => decodePolicyOptionsBeside(input, [])

/**
 * {@link decodePolicyOptions} for an entry point that takes options of its own (`ownKeys`: the Checkpointer's
 * `storage`, `async`, `log`…) out of `input` first: an unknown key's message lists those too, and may suggest one.
 */
export const decodePolicyOptionsBeside = (input: unknown, ownKeys: ReadonlyArray<string>): E.Either<ConfigError, PolicyConfig> => {
  if (!isPlainObject(input)) return E.left(configError([configIssue('(options)', input, 'an object of policy options')]))
  const issues: ConfigIssue[] = []
  for (const key of Object.keys(input))
    if (!policyOptionKeys.includes(key)) issues.push(unknownOption(key, input[key], [...policyOptionKeys, ...ownKeys]))

  type Of<K extends keyof typeof policyCodecs> = (typeof policyCodecs)[K] extends Named<infer A> ? A : never
  const get = <K extends keyof typeof policyCodecs>(key: K, fallback: Of<K> | undefined): Of<K> | undefined => {
    const raw = input[key]
    const codec = policyCodecs[key] as Named<Of<K>>
    if (raw === undefined) {
      if (fallback === undefined) issues.push(configIssue(key, raw, codec.name, 'required'))
      return fallback
    }
    if (!codec.is(raw)) {
      issues.push(configIssue(key, raw, codec.name))
      return fallback
    }
    return raw
  }

  const filepath = get('filepath', undefined)
  const monitor = get('monitor', 'val_loss') ?? 'val_loss'
  const requestedMode = get('mode', 'auto') ?? 'auto'
  const saveBestOnly = get('saveBestOnly', false) ?? false
  const saveWeightsOnly = get('saveWeightsOnly', false) ?? false
  const saveFreq = get('saveFreq', 'epoch') ?? 'epoch'
  const initialValueThreshold = get('initialValueThreshold', null) ?? null
  const verbose = get('verbose', 0) ?? 0
  const minDelta = get('minDelta', 0) ?? 0
  const retention = collectRetention(input, issues)

  let mode: Direction = 'min'
  if (requestedMode === 'auto') {
    const inferred = inferDirection(monitor)
    if (E.isLeft(inferred))
      issues.push(configIssue('monitor', monitor, "a metric name ckpt's auto-mode table knows, or set mode 'min' / 'max'", inferred.left))
    else mode = inferred.right
  } else mode = requestedMode

  /** `path` (option `option`) compiled, or null with its issue: keyword fields only, each fillable at this saveFreq. */
  const compile = (option: string, path: string): Template | null => {
    const parsed = parseTemplate(path)
    if (E.isLeft(parsed)) {
      issues.push(configIssue(option, path, 'a Python str.format template with keyword fields only', parsed.left.message))
      return null
    }
    const never = unfillableFields(parsed.right.fields, saveFreq)
    if (never.length === 0) return parsed.right
    issues.push(
      configIssue(
        option,
        path,
        saveFreq === 'epoch'
          ? 'fields filled at epoch ends: epoch and log keys (no batch)'
          : 'fields filled at batch ends: epoch, batch and training log keys (no val_*)',
        `field${never.length > 1 ? 's' : ''} ${never.map((f) => `{${f}}`).join(', ')} can never be filled with saveFreq ${saveFreq === 'epoch' ? "'epoch'" : saveFreq}`,
      ),
    )
    return null
  }
  const template = filepath === undefined ? null : compile('filepath', filepath)
  const last = collectSaveLast(input, issues, filepath, compile)
  if (saveBestOnly && saveFreq !== 'epoch' && monitor.startsWith('val_'))
    issues.push(
      configIssue(
        'monitor',
        monitor,
        "a training metric (batch logs carry no val_* keys), or saveFreq 'epoch'",
        `with saveBestOnly and saveFreq ${saveFreq} nothing would ever be saved`,
      ),
    )

  if (issues.length > 0 || filepath === undefined || template === null) return E.left(configError(issues))

  const warnings: string[] = []
  if (!saveBestOnly && initialValueThreshold !== null) warnings.push('initialValueThreshold has no effect without saveBestOnly')
  if (!saveBestOnly && minDelta !== 0) warnings.push('minDelta has no effect without saveBestOnly')
  if (!hasRetentionRule(retention))
    for (const key of ['keepLatest', 'keepBest'] as const)
      if (retention[key] !== undefined)
        warnings.push(
          `${key} has no effect without a retention rule (saveTopK, maxToKeep, keepPeriod or keepTimeInterval): every checkpoint is kept`,
        )

  return E.right({
    filepath,
    template,
    templateFields: template.fields,
    monitor,
    requestedMode,
    mode,
    saveBestOnly,
    saveWeightsOnly,
    saveFreq,
    initialValueThreshold,
    verbose,
    minDelta,
    retention,
    ...last.config,
    warnings: [...warnings, ...last.warnings],
  })
}
