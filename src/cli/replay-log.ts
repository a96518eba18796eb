import * as E from '#fp-ts/Either.js'
import { decodePolicyOptions, simulate, type PolicyConfig, type SimulatedDecision } from '../policy/index.js'
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

/**
 * Replays `log` through the policy of `policy` (`simulate`), then its saves through the retention options
 * (`replayRetention`). A Left names the log line an event error comes from.
 */
export const replayLog = (policy: PolicyFile, log: TrainingLog): E.Either<CliError, LogReplay> => {
  const decisions = simulate(
    policy.options,
    log.events.map((e) => e.event),
  )
  if (E.isLeft(decisions))
    return E.left(
      inputError(
        `cannot replay ${log.source} through ${policy.path}:\n  ${withLines(decisions.left.message, log).split('\n').join('\n  ')}`,
      ),
    )
  const retention = replayRetention(policy.config, log.events, decisions.right, log.source)
  return E.isLeft(retention) ? retention : E.right({ decisions: decisions.right, retention: retention.right })
}
