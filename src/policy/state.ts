import * as E from '#fp-ts/Either.js'
import * as t from '#io-ts'
import { JsonFloat, NonNegativeInt, isJson, refined, toJsonFloat } from './codecs.js'
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
}

const Json = refined<unknown>('plain JSON (no NaN, Infinity, undefined, -0 or class instances)', (u): u is unknown => isJson(u))

/** The io-ts codec of {@link PolicyState}. */
export const PolicyStateCodec = t.strict(
  {
    version: t.literal(1),
    best: t.union([JsonFloat, t.null], "a finite number, 'Infinity', '-Infinity' or null"),
    batchesSinceSave: NonNegativeInt,
    lastBatchSeen: t.union([NonNegativeInt, t.null], 'an integer >= 0 or null'),
    step: NonNegativeInt,
    trigger: Json,
  },
  'PolicyState',
)

/** The state before the first event: best from `initialValueThreshold`, counters at zero. */
export const initialPolicyState = (config: PolicyConfig, options: { readonly trigger?: AnyRule } = {}): PolicyState => ({
  version: 1,
  best: config.initialValueThreshold === null ? null : toJsonFloat(config.initialValueThreshold),
  batchesSinceSave: 0,
  lastBatchSeen: null,
  step: 0,
  trigger: options.trigger ? options.trigger.initial : null,
})

const pathOf = (errors: t.Errors): { option: string; value: unknown; expected: string } => {
  const e = errors[0]
  if (e === undefined) return { option: 'state', value: undefined, expected: 'a PolicyState' }
  const keys = e.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k))
  const last = e.context[e.context.length - 1]
  return { option: `state${keys.length > 0 ? `.${keys[0]}` : ''}`, value: e.value, expected: last?.type.name ?? 'a PolicyState' }
}

/**
 * Decodes a stored state. Unknown keys are rejected. With `trigger`, the trigger's state is also
 * checked by the rule's own `decodeState` (a null trigger state means "start the rule afresh").
 */
export const decodePolicyState = (u: unknown, options: { readonly trigger?: AnyRule } = {}): E.Either<ConfigError, PolicyState> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left(configError([configIssue('state', u, 'a PolicyState object')]))
  const extra = Object.keys(u).filter((k) => !(k in PolicyStateCodec.type.props))
  if (extra.length > 0)
    return E.left(
      configError(
        extra.map((k) =>
          configIssue(
            `state.${k}`,
            (u as Record<string, unknown>)[k],
            `only the keys ${Object.keys(PolicyStateCodec.type.props).join(', ')}`,
            'unknown key',
          ),
        ),
      ),
    )
  const r = PolicyStateCodec.decode(u)
  if (E.isLeft(r)) {
    const p = pathOf(r.left)
    return E.left(configError([configIssue(p.option, p.value, p.expected)]))
  }
  const state = r.right as PolicyState
  const rule = options.trigger
  if (rule && state.trigger !== null) {
    const d = rule.decodeState(state.trigger)
    if (E.isLeft(d)) return E.left(configError([configIssue('state.trigger', state.trigger, `the state of ${rule.name}`, d.left)]))
  }
  return E.right(state)
}
