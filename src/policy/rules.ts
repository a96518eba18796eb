import * as E from '#fp-ts/Either.js'
import type { Direction } from './auto-mode.js'
import { JsonFloat, fromJsonFloat, isPlainObject, toJsonFloat } from './codecs.js'
import { configError, configIssue, type ConfigError, type PolicyError } from './errors.js'
import type { TrainingEvent } from './event.js'
import { batchesAdded, improves } from './improvement.js'
import type { AnyRule, Rule } from './rule.js'

type Fired<S> = E.Either<PolicyError, readonly [S, boolean]>

const fired = <S>(state: S, fire: boolean): Fired<S> => E.right([state, fire] as const)

const isPositiveInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1

const nullState = (u: unknown): E.Either<string, null> => (u === null ? E.right(null) : E.left(`expected null, got ${JSON.stringify(u)}`))

const stateless = (name: string, fire: (e: TrainingEvent) => boolean, problems: ReadonlyArray<string> = []): Rule<null> => ({
  name,
  initial: null,
  step: (s, e) => fired(s, fire(e)),
  decodeState: nullState,
  problems,
})

/** Fires on every epoch end. */
export const onEpochEnd = (): Rule<null> => stateless('onEpochEnd()', (e) => e.kind === 'epoch')

/** Fires on every batch end. */
export const onBatchEnd = (): Rule<null> => stateless('onBatchEnd()', (e) => e.kind === 'batch')

/** Fires at the end of every n-th epoch: 1-based epochs n, 2n, … (Lightning's `every_n_epochs`). Stateless, so restart-safe. */
export const everyEpochs = (n: number): Rule<null> =>
  stateless(
    `everyEpochs(${n})`,
    (e) => e.kind === 'epoch' && (e.epoch + 1) % n === 0,
    isPositiveInt(n) ? [] : [`everyEpochs: n must be a positive integer, got ${String(n)}`],
  )

/** State of {@link everySteps}: batches counted since it last fired, and the last batch index seen. */
export interface StepCounter {
  readonly seen: number
  readonly last: number | null
}

/**
 * Fires on the batch end where n batches have passed since it last fired, counting batches as
 * Keras's integer `save_freq` does (never reset at epoch boundaries). Ignores epoch ends.
 */
export const everySteps = (n: number): Rule<StepCounter> => ({
  name: `everySteps(${n})`,
  initial: { seen: 0, last: null },
  problems: isPositiveInt(n) ? [] : [`everySteps: n must be a positive integer, got ${String(n)}`],
  step: (s, e) => {
    if (e.kind !== 'batch' || e.batch === undefined) return fired(s, false)
    const seen = s.seen + batchesAdded(s.last, e.batch)
    return seen >= n ? fired({ seen: 0, last: e.batch }, true) : fired({ seen, last: e.batch }, false)
  },
  decodeState: (u) =>
    isPlainObject(u) &&
    Number.isSafeInteger(u.seen) &&
    (u.seen as number) >= 0 &&
    (u.last === null || (Number.isSafeInteger(u.last) && (u.last as number) >= 0))
      ? E.right({ seen: u.seen as number, last: u.last as number | null })
      : E.left(`expected { seen: integer >= 0, last: integer >= 0 | null }, got ${JSON.stringify(u)}`),
})

/** State of {@link whenImproved}: the best value so far (JSON-safe), or null while unset. */
export interface BestSoFar {
  readonly best: JsonFloat | null
}

/**
 * Fires when `logs[monitor]` beats the best so far by more than `minDelta` (Keras's strict
 * comparison), then takes it as the new best. A missing or NaN value never fires. Looks at every
 * event carrying the monitor; combine with {@link onEpochEnd} to restrict it to epoch ends.
 */
export const whenImproved = (monitor: string, mode: Direction, minDelta = 0): Rule<BestSoFar> => ({
  name: `whenImproved(${JSON.stringify(monitor)}, ${JSON.stringify(mode)}, ${minDelta})`,
  initial: { best: null },
  problems: [
    ...(typeof monitor === 'string' && monitor.length > 0
      ? []
      : [`whenImproved: monitor must be a non-empty string, got ${JSON.stringify(monitor)}`]),
    ...(mode === 'min' || mode === 'max' ? [] : [`whenImproved: mode must be 'min' or 'max', got ${JSON.stringify(mode)}`]),
    ...(typeof minDelta === 'number' && Number.isFinite(minDelta) && minDelta >= 0
      ? []
      : [`whenImproved: minDelta must be a finite number >= 0, got ${String(minDelta)}`]),
  ],
  step: (s, e) => {
    const current = Object.hasOwn(e.logs, monitor) ? e.logs[monitor] : undefined
    if (current === undefined || Number.isNaN(current)) return fired(s, false)
    const best = s.best === null ? null : fromJsonFloat(s.best)
    return improves(mode, minDelta, current, best) ? fired({ best: toJsonFloat(current) }, true) : fired(s, false)
  },
  decodeState: (u) =>
    isPlainObject(u) && (u.best === null || JsonFloat.is(u.best))
      ? E.right({ best: u.best })
      : E.left(`expected { best: number | 'Infinity' | '-Infinity' | null }, got ${JSON.stringify(u)}`),
})

/** State of {@link afterSeconds}: the time (ms) it last fired, or of the first event seen. */
export interface Since {
  readonly since: number | null
}

/**
 * Fires on the first event at least `seconds` after it last fired (or after the first event it
 * saw), using `event.time` (ms). An event without `time` is an error: the rule never reads a clock.
 */
export const afterSeconds = (seconds: number): Rule<Since> => {
  const name = `afterSeconds(${seconds})`
  const ms = seconds * 1000
  return {
    name,
    initial: { since: null },
    problems:
      typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
        ? []
        : [`afterSeconds: seconds must be a finite number > 0, got ${String(seconds)}`],
    step: (s, e) => {
      if (e.time === undefined)
        return E.left({ _tag: 'RuleError', rule: name, message: `${name} needs event.time (ms since the Unix epoch) on every event` })
      if (s.since === null) return fired({ since: e.time }, false)
      return e.time - s.since >= ms ? fired({ since: e.time }, true) : fired(s, false)
    },
    decodeState: (u) =>
      isPlainObject(u) && (u.since === null || (typeof u.since === 'number' && Number.isFinite(u.since)))
        ? E.right({ since: u.since })
        : E.left(`expected { since: number | null }, got ${JSON.stringify(u)}`),
  }
}

type StatesOf<R extends ReadonlyArray<AnyRule>> = { [K in keyof R]: R[K] extends Rule<infer S> ? S : never }

const combine = <R extends ReadonlyArray<AnyRule>>(
  label: string,
  rules: R,
  join: (fires: ReadonlyArray<boolean>) => boolean,
): Rule<StatesOf<R>> => ({
  name: `${label}(${rules.map((r) => r.name).join(', ')})`,
  initial: rules.map((r) => r.initial) as unknown as StatesOf<R>,
  problems: [...(rules.length === 0 ? [`${label}: needs at least one rule`] : []), ...rules.flatMap((r) => r.problems)],
  // Every component sees every event (no short-circuit), so each keeps its own history.
  step: (s, e) => {
    const states: unknown[] = new Array<unknown>(rules.length)
    const fires: boolean[] = new Array<boolean>(rules.length)
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!.step((s as ReadonlyArray<unknown>)[i], e)
      if (E.isLeft(r)) return r
      states[i] = r.right[0]
      fires[i] = r.right[1]
    }
    return fired(states as unknown as StatesOf<R>, join(fires))
  },
  decodeState: (u) => {
    if (!Array.isArray(u) || u.length !== rules.length)
      return E.left(`expected an array of ${rules.length} rule states, got ${JSON.stringify(u)}`)
    const out: unknown[] = []
    for (let i = 0; i < rules.length; i++) {
      const d = rules[i]!.decodeState(u[i])
      if (E.isLeft(d)) return E.left(`${rules[i]!.name}: ${d.left}`)
      out.push(d.right)
    }
    return E.right(out as unknown as StatesOf<R>)
  },
})

/** Fires when any component fires. Every component steps on every event. */
export const anyOf = <R extends ReadonlyArray<AnyRule>>(...rules: R): Rule<StatesOf<R>> => combine('anyOf', rules, (f) => f.some(Boolean))

/** Fires when all components fire on the same event. Every component steps on every event. */
export const allOf = <R extends ReadonlyArray<AnyRule>>(...rules: R): Rule<StatesOf<R>> =>
  combine('allOf', rules, (f) => f.length > 0 && f.every(Boolean))

/** Fires when `rule` does not. */
export const not = <S>(rule: Rule<S>): Rule<S> => ({
  ...rule,
  name: `not(${rule.name})`,
  step: (s, e) => E.map(([s2, f]: readonly [S, boolean]) => [s2, !f] as const)(rule.step(s, e)),
})

/** Reports a rule's construction problems as a ConfigError (option `trigger`). */
export const validateRule = <S>(rule: Rule<S>): E.Either<ConfigError, Rule<S>> =>
  rule.problems.length === 0
    ? E.right(rule)
    : E.left(configError(rule.problems.map((p) => configIssue('trigger', rule.name, 'a rule built from valid arguments', p))))
