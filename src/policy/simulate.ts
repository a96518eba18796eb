import * as E from '#fp-ts/Either.js'
import { configError, configIssue, type ConfigError, type TemplateRenderError } from './errors.js'
import { finishedSavingLastMessage, finishedSavingMessage } from './messages.js'
import { decodePolicyOptions } from './options.js'
import { policyReducer } from './reducer.js'
import { initialPolicyState } from './state.js'

/** One replayed event: with `batch` it is a batch end, without it an epoch end. Indices are 0-based. */
export interface SimulatedEvent {
  readonly epoch: number
  readonly batch?: number
  readonly logs: Record<string, number>
  /** Optional ms timestamp (ignored by the Keras policy; accepted so logs with times replay unchanged). */
  readonly time?: number
}

/** One decision of a replay. `messages` holds warnings (always) and, with verbose >= 1, Keras's lines. */
export interface SimulatedDecision {
  readonly save: boolean
  readonly path: string | null
  readonly messages: string[]
  /** With `saveLast`, at a save opportunity: the path `last` is written to (also when the regular save is skipped). */
  readonly last?: string
  /** With `keepGoing`: the save opportunity whose filename cannot be rendered (Keras raises there); `save` is false. */
  readonly failed?: TemplateRenderError
}

export interface SimulateOptions {
  /**
   * Replay past save opportunities whose filename cannot be rendered from the event's logs, where Keras raises and
   * training stops: each is a decision with `failed`, nothing is saved there, and the replay goes on as after a skip.
   * Default false: the first is a Left.
   */
  readonly keepGoing?: boolean
}

/**
 * Replays `events` through the policy decoded from `options`, assuming every save succeeds
 * (so each save's messages end with Keras's "finished saving" line when verbose >= 1, and with saveLast the
 * Checkpointer's "finished saving the last checkpoint" line).
 * A Left carries the configuration error, or an event that cannot be decided (option `events[i]...`,
 * or `filepath` when the template cannot be filled from that event's logs, unless `keepGoing`).
 *
 * @example
 * simulate({ filepath: 'm-{epoch}.keras', monitor: 'loss', verbose: 1 }, [{ epoch: 0, logs: { loss: 1 } }])
 * // Right([{ save: true, path: 'm-1.keras',
 * //          messages: ['Epoch 1: saving model to m-1.keras', 'Epoch 1: finished saving model to m-1.keras'] }])
 */
export const simulate = (
  options: unknown,
  events: ReadonlyArray<SimulatedEvent>,
  simulateOptions: SimulateOptions = {},
): E.Either<ConfigError, Array<SimulatedDecision>> => {
  const decoded = decodePolicyOptions(options)
  if (E.isLeft(decoded)) return decoded
  const config = decoded.right
  // Checked through an `unknown` copy: Array.isArray would narrow `events` itself to any[].
  const untrusted: unknown = events
  if (!Array.isArray(untrusted)) return E.left(configError([configIssue('events', events, 'an array of { epoch, batch?, logs } events')]))
  const step = policyReducer(config, { keepGoing: simulateOptions.keepGoing === true })
  let state = initialPolicyState(config)
  const out: SimulatedDecision[] = []
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!
    const isObject = typeof ev === 'object' && ev !== null
    const event = isObject
      ? ev.batch === undefined
        ? { kind: 'epoch' as const, epoch: ev.epoch, logs: ev.logs, ...(ev.time === undefined ? {} : { time: ev.time }) }
        : { kind: 'batch' as const, epoch: ev.epoch, batch: ev.batch, logs: ev.logs, ...(ev.time === undefined ? {} : { time: ev.time }) }
      : ev
    const r = step(state, event)
    if (E.isLeft(r)) {
      const err = r.left
      return E.left(
        err._tag === 'TemplateRenderError'
          ? configError([
              configIssue(
                'filepath',
                config.filepath,
                `a template every saved event's logs can fill (event ${i}, epoch ${ev.epoch})`,
                err.message,
              ),
            ])
          : err._tag === 'InvalidEvent'
            ? configError([
                configIssue(`events[${i}].${err.field}`, err.value, err.message.replace(/^event\.[^:]*: got .*; expected /, '')),
              ])
            : configError([configIssue('trigger', err.rule, 'a rule that can decide every event', err.message)]),
      )
    }
    const [next, decision] = r.right
    state = next
    const messages = [...decision.warnings, ...decision.messages]
    const last = decision.last === undefined ? {} : { last: decision.last.path }
    // The Checkpointer's lines after each commit: the regular checkpoint's, then last's.
    if (decision._tag === 'Save' && config.verbose > 0) messages.push(finishedSavingMessage(decision.epoch, decision.path))
    if (decision.last !== undefined && config.verbose > 0) messages.push(finishedSavingLastMessage(decision.last.epoch, decision.last.path))
    if (decision._tag === 'Save') out.push({ save: true, path: decision.path, messages, ...last })
    else out.push({ save: false, path: null, messages, ...last, ...(decision.failed === undefined ? {} : { failed: decision.failed }) })
  }
  return E.right(out)
}
