import * as E from '#fp-ts/Either.js'
import { JsonFloat, NonNegativeInt, isJson, orNull, refined, toJsonFloat, type Named } from './codecs.js'
import { configError, configIssue, type ConfigError } from './errors.js'
import type { PolicyConfig } from './options.js'
import type { AnyRule } from './rule.js'

/**
 * The policy's state: plain JSON, so `JSON.parse(JSON.stringify(state))` decoded by
 * {@link decodePolicyState} resumes a run with the same best value and counters.
 */
export interface PolicyState {
  readonly version: 1
  /** Best monitored value so far (`'Infinity'`/`'-Infinity'` for infinities), null while unset. */
  readonly best: JsonFloat | null
  /** Batches counted since the last integer-saveFreq save. */
  readonly batchesSinceSave: number
  /** The last batch index seen, null before the first batch event. */
  readonly lastBatchSeen: number | null
  /** Training batches counted since the run began. */
  readonly step: number
  /** A custom trigger's state (plain JSON), null without one. */
  readonly trigger: unknown
  /**
   * Set at the first save opportunity under `saveBestOnly`, where the monitor's name is checked against the logs:
   * ckpt lists what the logs hold at most once a run. Absent before, and in states written before ckpt checked it.
   */
  readonly monitorChecked?: true
}

const Json = refined<unknown>('plain JSON (no NaN, Infinity, undefined, -0 or class instances)', (u): u is unknown => isJson(u))

/**
 * The check of {@link PolicyState}: its keys, in order, each with its own check. A value-or-null key is named by the
 * value's kind, as io-ts's union named its first member's error (the messages stay those of the io-ts codec).
 */
export const PolicyStateCodec: { readonly name: string; readonly props: { readonly [K in keyof PolicyState]: Named<PolicyState[K]> } } = {
  name: 'PolicyState',
  props: {
    version: refined('1', (u): u is 1 => u === 1),
    best: orNull(JsonFloat.name, JsonFloat),
    batchesSinceSave: NonNegativeInt,
    lastBatchSeen: orNull(NonNegativeInt.name, NonNegativeInt),
    step: NonNegativeInt,
    trigger: Json,
    monitorChecked: refined('true, or no key', (u): u is true | undefined => u === true || u === undefined),
  },
}

/** The state before the first event: best from `initialValueThreshold`, counters at zero. */
export const initialPolicyState = (config: PolicyConfig, options: { readonly trigger?: AnyRule } = {}): PolicyState => ({
  version: 1,
  best: config.initialValueThreshold === null ? null : toJsonFloat(config.initialValueThreshold),
  batchesSinceSave: 0,
  lastBatchSeen: null,
  step: 0,
  trigger: options.trigger ? options.trigger.initial : null,
})

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** The first key whose value fails its check, or null. */
const firstIssue = (u: Record<string, unknown>): { option: string; value: unknown; expected: string } | null => {
  for (const [k, codec] of Object.entries(PolicyStateCodec.props) as Array<[string, Named<unknown>]>)
    if (!codec.is(u[k])) return { option: `state.${k}`, value: u[k], expected: codec.name }
  return null
}

/** `u` without own keys other than the state's (a non-enumerable one, or one named like `constructor`, passes the key check). */
const stateKeysOnly = (u: Record<string, unknown>): Record<string, unknown> => {
  const names = Object.getOwnPropertyNames(u)
  if (names.every((k) => hasOwn(PolicyStateCodec.props, k))) return u
  const out: Record<string, unknown> = {}
  for (const k of names) if (hasOwn(PolicyStateCodec.props, k)) out[k] = u[k]
  return out
}

/**
 * Decodes a stored state. Unknown keys are rejected. With `trigger`, the trigger's state is also
 * checked by the rule's own `decodeState` (a null trigger state means "start the rule afresh").
 */
export const decodePolicyState = (u: unknown, options: { readonly trigger?: AnyRule } = {}): E.Either<ConfigError, PolicyState> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left(configError([configIssue('state', u, 'a PolicyState object')]))
  const extra = Object.keys(u).filter((k) => !(k in PolicyStateCodec.props))
  if (extra.length > 0)
    return E.left(
      configError(
        extra.map((k) =>
          configIssue(
            `state.${k}`,
            (u as Record<string, unknown>)[k],
            `only the keys ${Object.keys(PolicyStateCodec.props).join(', ')}`,
            'unknown key',
          ),
        ),
      ),
    )
  const p = firstIssue(u as Record<string, unknown>)
  if (p !== null) return E.left(configError([configIssue(p.option, p.value, p.expected)]))
  const state = stateKeysOnly(u as Record<string, unknown>) as unknown as PolicyState
  const rule = options.trigger
  if (rule && state.trigger !== null) {
    const d = rule.decodeState(state.trigger)
    if (E.isLeft(d)) return E.left(configError([configIssue('state.trigger', state.trigger, `the state of ${rule.name}`, d.left)]))
  }
  return E.right(state)
}
