import * as E from '#fp-ts/Either.js'
import type { Template, TemplateValue } from '../format/index.js'
import { fromJsonFloat, toJsonFloat } from './codecs.js'
import { silentSkip, skip, type Decision, type Save } from './decision.js'
import { type PolicyError, type TemplateRenderError } from './errors.js'
import { validateEvent, type TrainingEvent } from './event.js'
import { batchesAdded, improves } from './improvement.js'
import { improvedMessage, monitorMissingNote, monitorUnavailableWarning, notImprovedMessage, savingMessage } from './messages.js'
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
  /**
   * A save opportunity whose filename cannot be rendered is a skip carrying `failed` (the error), rather than a Left:
   * for a replay that goes past the point where Keras would raise (`ckpt simulate --keep-going`). The event is
   * counted and the best stays, as after any skip.
   */
  readonly keepGoing?: boolean
}

const none: ReadonlyArray<string> = []

/**
 * Keras's `filepath.format(epoch=epoch + 1, **logs)` (+ `batch=batch + 1` on batch events unless the logs
 * hold `batch`): ints as bigint, log values as Python floats. Only the template's fields are copied,
 * unless `all` (used to build a complete error message).
 */
const templateValues = (fields: ReadonlyArray<string>, event: TrainingEvent, all: boolean): Record<string, TemplateValue> => {
  const logs = event.logs
  const values = Object.create(null) as Record<string, TemplateValue>
  const names = all ? ['epoch', 'batch', ...Object.keys(logs)] : fields
  for (let i = 0; i < names.length; i++) {
    const f = names[i]!
    if (f === 'epoch') values.epoch = BigInt(event.epoch + 1)
    else if (f === 'batch' && event.kind === 'batch' && !Object.hasOwn(logs, 'batch')) values.batch = BigInt((event.batch as number) + 1)
    else if (Object.hasOwn(logs, f)) values[f] = logs[f] as number
  }
  return values
}

// Top-level (not a per-step closure): the hot path allocates no functions.
const saveDecision = (
  event: TrainingEvent,
  path: string,
  messages: ReadonlyArray<string>,
  step: number,
  score: number | null,
  last: Save | undefined,
): Save => {
  const save: Save = {
    _tag: 'Save',
    path,
    messages,
    warnings: none,
    kind: event.kind,
    epoch: event.epoch,
    batch: event.kind === 'batch' ? (event.batch as number) : null,
    step,
    metrics: event.logs,
    score,
    time: event.time ?? null,
  }
  return last === undefined ? save : { ...save, last }
}

/**
 * `template` (configured as `source`) rendered for `event`, or Keras's error. On failure it renders again with every
 * log key, so that the message lists all the values Keras would have had.
 */
const render = (template: Template, source: string, event: TrainingEvent): E.Either<TemplateRenderError, string> => {
  let rendered = template.render(templateValues(template.fields, event, false))
  if (E.isLeft(rendered)) rendered = template.render(templateValues(template.fields, event, true))
  if (E.isRight(rendered)) return rendered
  return E.left({
    _tag: 'TemplateRenderError',
    filepath: source,
    field: rendered.left.field,
    message: `Failed to format this callback filepath: "${source}". Reason: ${rendered.left.message}`,
  })
}

/**
 * A filename that cannot be rendered: Keras's error, or with `keepGoing` a skip that carries it. Nothing was decided
 * there, so a monitor not checked before (`wasChecked` false) is still unchecked after.
 */
const unrendered = (
  keepGoing: boolean,
  counted: PolicyState,
  wasChecked: boolean,
  error: TemplateRenderError,
): E.Either<PolicyError, readonly [PolicyState, Decision]> => {
  if (!keepGoing) return E.left(error)
  const { monitorChecked: _checked, ...unchecked } = counted
  return E.right([wasChecked ? counted : unchecked, { _tag: 'Skip', messages: none, warnings: none, failed: error }] as const)
}

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
  const { monitor, mode, minDelta, saveBestOnly, saveFreq, template, filepath, lastTemplate, lastFilepath } = config
  const verbose = config.verbose > 0
  const trigger = options.trigger
  const keepGoing = options.keepGoing === true
  const ranks = saveBestOnly || config.retention.saveTopK !== undefined
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

    // A run's first save opportunity checks the monitor's name, once, where the monitor decides (saveBestOnly) or ranks
    // (saveTopK): if the logs lack it, ckpt says what they hold. The state remembers it: a resumed run does not repeat it.
    const unchecked = state.monitorChecked !== true
    const counted: PolicyState =
      unchecked && !(candidate && ranks)
        ? { version: 1, best: state.best, batchesSinceSave, lastBatchSeen, step, trigger: triggerState }
        : { version: 1, best: state.best, batchesSinceSave, lastBatchSeen, step, trigger: triggerState, monitorChecked: true }
    if (!candidate) return E.right([counted, silentSkip] as const)

    // Keras renders the filename before deciding, so a template error surfaces even on a skip.
    const logs = event.logs
    if (Object.hasOwn(logs, 'epoch'))
      return E.left({
        _tag: 'InvalidEvent',
        field: 'logs.epoch',
        value: logs.epoch,
        message: "event.logs: a log key 'epoch' clashes with the epoch field the template receives (Keras raises TypeError)",
      })
    const rendered = render(template, filepath, event)
    if (E.isLeft(rendered)) return unrendered(keepGoing, counted, !unchecked, rendered.left)
    const path = rendered.right
    // An own key only: a monitor named `constructor` or `toString` must not read Object.prototype's function.
    const current = Object.hasOwn(logs, monitor) ? logs[monitor] : undefined
    const score = current === undefined ? null : current
    // saveLast: every save opportunity also saves `last`, whatever the regular save decides.
    let last: Save | undefined
    if (lastTemplate !== null) {
      const lastPath = render(lastTemplate, lastFilepath!, event)
      if (E.isLeft(lastPath)) return unrendered(keepGoing, counted, !unchecked, lastPath.left)
      if (lastPath.right === path)
        return unrendered(keepGoing, counted, !unchecked, {
          _tag: 'TemplateRenderError',
          filepath: lastFilepath!,
          field: null,
          message: `lastFilepath "${lastFilepath!}" rendered "${path}", the path filepath rendered for the same event: "last" would replace the regular checkpoint; give lastFilepath a path of its own`,
        })
      last = saveDecision(event, lastPath.right, none, step, score, undefined)
    }

    if (!saveBestOnly) {
      const save = saveDecision(event, path, verbose ? [savingMessage(event.epoch, path)] : none, step, score, last)
      // saveTopK would rank every checkpoint worst, silently: Keras has no warning here, ckpt's line stands alone.
      const unranked = ranks && unchecked && current === undefined
      return E.right([counted, unranked ? { ...save, warnings: [monitorMissingNote(monitor, Object.keys(logs))] } : save] as const)
    }
    if (current === undefined || Number.isNaN(current)) {
      const warning = monitorUnavailableWarning(monitor)
      const warnings = unchecked && current === undefined ? [warning, monitorMissingNote(monitor, Object.keys(logs))] : [warning]
      return E.right([counted, skip(none, warnings, last)] as const)
    }
    const best = state.best === null ? null : fromJsonFloat(state.best)
    if (improves(mode, minDelta, current, best)) {
      const messages = verbose ? [improvedMessage(event.epoch, monitor, best, current, path)] : none
      const next: PolicyState = { ...counted, best: toJsonFloat(current) }
      return E.right([next, saveDecision(event, path, messages, step, score, last)] as const)
    }
    return E.right([counted, skip(verbose ? [notImprovedMessage(event.epoch, monitor, best)] : none, none, last)] as const)
  }
}
