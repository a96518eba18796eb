import * as E from '#fp-ts/Either.js'
import { decodePolicyOptions, simulate, type PolicyConfig, type SimulatedDecision, type TemplateRenderError } from '../policy/index.js'
import { inputError, type CliError } from './errors.js'
import { readJson } from './files.js'
import { replayRetention, type RetentionReplay } from './replay.js'
import type { TrainingLog } from './training-log.js'

/** A policy configuration file: the options as written, and decoded. */
export interface PolicyFile {
  readonly path: string
  readonly options: unknown
  readonly config: PolicyConfig
}

/** A log replayed through a policy: each event's decision, and what retention kept and deleted. */
export interface LogReplay {
  readonly decisions: ReadonlyArray<SimulatedDecision>
  readonly retention: RetentionReplay
}

/** Reads and decodes `--config POLICY.json`: policy and retention options, as `createCheckpointer` takes them. */
export const readPolicyFile = async (path: string): Promise<E.Either<CliError, PolicyFile>> => {
  const options = await readJson(path, 'policy configuration')
  if (E.isLeft(options)) return options
  const config = decodePolicyOptions(options.right)
  if (E.isLeft(config))
    return E.left(inputError(`${path}: invalid policy configuration:\n  ${config.left.message.split('\n').join('\n  ')}`))
  return E.right({ path, options: options.right, config: config.right })
}

/** Names the log line of an `events[i]` option in a policy error. */
const withLines = (message: string, log: TrainingLog): string =>
  message
    .replace(/events\[(\d+)\]/g, (m, i: string) => {
      const line = log.events[Number(i)]?.line
      return line === undefined ? m : `${m} (${log.source} line ${line})`
    })
    .replace(/\(event (\d+), epoch (\d+)\)/g, (m, i: string, epoch: string) => {
      const line = log.events[Number(i)]?.line
      return line === undefined ? m : `(${log.source} line ${line}: event ${i}, 0-based epoch ${epoch})`
    })

/** `epoch 3` or `epoch 3 batch 12`, 1-based as Keras prints them. */
export const eventWhere = (ev: TrainingLog['events'][number]['event']): string =>
  `epoch ${ev.epoch + 1}${ev.batch === undefined ? '' : ` batch ${ev.batch + 1}`}`

/**
 * Why a save opportunity's filename cannot be rendered: `the template needs val_loss, which this epoch's logs lack
 * (they hold loss)` for a field missing from the logs (a metric Keras computes only some epochs, as validation with
 * `validation_freq`), else the renderer's message.
 */
export const failureReason = (
  config: PolicyConfig,
  logs: Readonly<Record<string, number>>,
  batch: boolean,
  f: TemplateRenderError,
): string => {
  const template = f.filepath === config.filepath ? 'the template' : 'the lastFilepath template'
  if (f.field === null || f.field === 'epoch' || f.field === 'batch' || Object.hasOwn(logs, f.field)) return `${template}: ${f.message}`
  const held = Object.keys(logs)
  return `${template} needs ${f.field}, which this ${batch ? 'batch' : 'epoch'}'s logs lack (${held.length === 0 ? 'they are empty' : `they hold ${held.join(', ')}`})`
}

/** The first save opportunity of a replay whose filename cannot be rendered, said as where training would stop. */
export const wouldStop = (config: PolicyConfig, log: TrainingLog, decisions: ReadonlyArray<SimulatedDecision>): string | null => {
  const i = decisions.findIndex((d) => d.failed !== undefined)
  if (i < 0) return null
  const { line, event } = log.events[i]!
  return `training would stop at ${eventWhere(event)} (${log.source} line ${line}): ${failureReason(config, event.logs, event.batch !== undefined, decisions[i]!.failed!)}`
}

/**
 * Replays `log` through the policy of `policy` (`simulate`), then its saves through the retention options
 * (`replayRetention`). A Left names the log line an event error comes from. A save opportunity whose filename
 * cannot be rendered (Keras raises there) is a Left saying where training would stop, unless `keepGoing`: then its
 * decision carries `failed` and the replay goes on.
 */
export const replayLog = (
  policy: PolicyFile,
  log: TrainingLog,
  options: { readonly keepGoing?: boolean } = {},
): E.Either<CliError, LogReplay> => {
  const decisions = simulate(
    policy.options,
    log.events.map((e) => e.event),
    { keepGoing: true },
  )
  if (E.isLeft(decisions))
    return E.left(
      inputError(
        `cannot replay ${log.source} through ${policy.path}:\n  ${withLines(decisions.left.message, log).split('\n').join('\n  ')}`,
      ),
    )
  const stop = options.keepGoing === true ? null : wouldStop(policy.config, log, decisions.right)
  if (stop !== null) return E.left(inputError(`cannot replay ${log.source} through ${policy.path}: ${stop}`))
  const retention = replayRetention(policy.config, log.events, decisions.right, log.source)
  return E.isLeft(retention) ? retention : E.right({ decisions: decisions.right, retention: retention.right })
}
