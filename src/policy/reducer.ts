import * as E from 'fp-ts/lib/Either.js'
import type { TemplateValue } from '../format/index.js'
import { fromJsonFloat, toJsonFloat } from './codecs.js'
import { silentSkip, skip, type Decision, type Save } from './decision.js'
import { type PolicyError } from './errors.js'
import { validateEvent, type TrainingEvent } from './event.js'
import { batchesAdded, improves } from './improvement.js'
import { improvedMessage, monitorUnavailableWarning, notImprovedMessage, savingMessage } from './messages.js'
import type { PolicyConfig } from './options.js'
import type { AnyRule } from './rule.js'
import type { PolicyState } from './state.js'

/** A pure step: the next state and a decision, or an error. Custom policies share this type. */
export type Reducer<S, Ev> = (state: S, event: Ev) => E.Either<PolicyError, readonly [S, Decision]>

export interface PolicyReducerOptions {
  /**
   * Replaces `saveFreq` as the trigger: the policy considers saving exactly when this rule fires.
   * `saveBestOnly`, the messages and the filename stay the policy's. Its state lives in `PolicyState.trigger`.
   */
  readonly trigger?: AnyRule
}

const none: ReadonlyArray<string> = []

/**
 * Keras 3.15 ModelCheckpoint's decisions as a pure reducer (with ckpt's documented divergences).
 *
 * @example
 * const step = policyReducer(config)
 * let state = initialPolicyState(config)
 * const r = step(state, { kind: 'epoch', epoch: 0, logs: { val_loss: 0.5 } })
 * // Right([state', { _tag: 'Save', path: 'ckpt-01.keras', ... }])
 */
export const policyReducer = (config: PolicyConfig, options: PolicyReducerOptions = {}): Reducer<PolicyState, TrainingEvent> => {
  const { monitor, mode, minDelta, saveBestOnly, saveFreq, template, filepath } = config
  const verbose = config.verbose > 0
  const trigger = options.trigger
  const triggerProblem: PolicyError | null =
    trigger && trigger.problems.length > 0 ? { _tag: 'RuleError', rule: trigger.name, message: trigger.problems.join('; ') } : null

  return (state, event) => {
    const valid = validateEvent(event)
    if (E.isLeft(valid)) return valid
    if (triggerProblem) return E.left(triggerProblem)

    let { lastBatchSeen, step, batchesSinceSave } = state
    let triggerState = state.trigger
    let candidate = false
    if (event.kind === 'batch') {
      const batch = event.batch as number
      const add = batchesAdded(lastBatchSeen, batch)
      step += add
      lastBatchSeen = batch
      if (!trigger && saveFreq !== 'epoch') {
        batchesSinceSave += add
        if (batchesSinceSave >= saveFreq) {
          batchesSinceSave = 0
          candidate = true
        }
      }
    } else if (!trigger && saveFreq === 'epoch') candidate = true
    if (trigger) {
      const r = trigger.step(triggerState === null ? trigger.initial : triggerState, event)
      if (E.isLeft(r)) return r
      triggerState = r.right[0]
      candidate = r.right[1]
    }

    const counted: PolicyState = { version: 1, best: state.best, batchesSinceSave, lastBatchSeen, step, trigger: triggerState }
    if (!candidate) return E.right([counted, silentSkip] as const)

    // Keras renders the filename before deciding, so a template error surfaces even on a skip.
    const logs = event.logs
    if ('epoch' in logs)
      return E.left({ _tag: 'InvalidEvent', field: 'logs.epoch', value: logs.epoch, message: "event.logs: a log key 'epoch' clashes with the epoch field the template receives (Keras raises TypeError)" })
    const values: Record<string, TemplateValue> = { epoch: BigInt(event.epoch + 1) }
    if (event.kind === 'batch' && !('batch' in logs)) values.batch = BigInt((event.batch as number) + 1)
    for (const k in logs) values[k] = logs[k] as number
    const rendered = template.render(values)
    if (E.isLeft(rendered))
      return E.left({
        _tag: 'TemplateRenderError',
        filepath,
        field: rendered.left.field,
        message: `Failed to format this callback filepath: "${filepath}". Reason: ${rendered.left.message}`,
      })
    const path = rendered.right
    const current = logs[monitor]
    const score = current === undefined ? null : current

    const save = (messages: ReadonlyArray<string>, best = state.best): E.Either<PolicyError, readonly [PolicyState, Decision]> => {
      const decision: Save = {
        _tag: 'Save',
        path,
        messages,
        warnings: none,
        kind: event.kind,
        epoch: event.epoch,
        batch: event.kind === 'batch' ? (event.batch as number) : null,
        step,
        metrics: logs,
        score,
        time: event.time ?? null,
      }
      return E.right([best === state.best ? counted : { ...counted, best }, decision] as const)
    }

    if (!saveBestOnly) return save(verbose ? [savingMessage(event.epoch, path)] : none)
    if (current === undefined || Number.isNaN(current)) return E.right([counted, skip(none, [monitorUnavailableWarning(monitor)])] as const)
    const best = state.best === null ? null : fromJsonFloat(state.best)
    if (improves(mode, minDelta, current, best)) return save(verbose ? [improvedMessage(event.epoch, monitor, best, current, path)] : none, toJsonFloat(current))
    return E.right([counted, verbose ? skip([notImprovedMessage(event.epoch, monitor, best)]) : silentSkip] as const)
  }
}
