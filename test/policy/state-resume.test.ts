import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  anyOf,
  decodePolicyState,
  everyEpochs,
  initialPolicyState,
  policyReducer,
  whenImproved,
  type AnyRule,
  type Decision,
  type PolicyConfig,
  type PolicyState,
  type TrainingEvent,
} from '../../src/policy/index.js'
import { config, left, right } from './helpers.js'

const loss = fc.oneof(
  { weight: 9, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) },
)

/** A plausible training run: epochs of batches, each epoch ended by an epoch event with val metrics. */
const run = fc.array(fc.record({ batches: fc.integer({ min: 0, max: 5 }), train: loss, val: loss }), { maxLength: 12 }).map((epochs) =>
  epochs.flatMap(({ batches, train, val }, e): TrainingEvent[] => [
    ...Array.from({ length: batches }, (_, b): TrainingEvent => ({
      kind: 'batch',
      epoch: e,
      batch: b,
      logs: { loss: train + b },
      time: e * 1000 + b,
    })),
    { kind: 'epoch', epoch: e, logs: { loss: train, val_loss: val }, time: e * 1000 + 999 },
  ]),
)

const options = fc.oneof(
  fc.record({
    filepath: fc.constant('m-{epoch}-{val_loss:.3f}.keras'),
    saveBestOnly: fc.boolean(),
    verbose: fc.constantFrom(0, 1),
    initialValueThreshold: fc.option(
      loss.filter((x) => !Number.isNaN(x)),
      { nil: null },
    ),
    minDelta: fc.constantFrom(0, 0.1),
  }),
  fc.record({
    filepath: fc.constant('m-{epoch}-{batch}.keras'),
    monitor: fc.constant('loss'),
    saveBestOnly: fc.boolean(),
    saveFreq: fc.integer({ min: 1, max: 7 }),
    verbose: fc.constantFrom(0, 1),
  }),
)

const replay = (c: PolicyConfig, events: ReadonlyArray<TrainingEvent>, splitAt: number | null, trigger?: AnyRule): Decision[] => {
  const step = policyReducer(c, trigger ? { trigger } : {})
  let state: PolicyState = initialPolicyState(c, trigger ? { trigger } : {})
  const out: Decision[] = []
  events.forEach((ev, i) => {
    if (i === splitAt) state = right(decodePolicyState(JSON.parse(JSON.stringify(state)), trigger ? { trigger } : {}))
    const [next, d] = right(step(state, ev))
    state = next
    out.push(d)
  })
  return out
}

describe('state is plain JSON: a restarted run resumes exactly', () => {
  it('property: serialise + decode mid-run, then continue, gives the same decisions as an uninterrupted run', () => {
    fc.assert(
      fc.property(options, run, fc.nat(), (o, events, k) => {
        const c = config(o)
        const split = events.length === 0 ? null : k % events.length
        expect(replay(c, events, split)).toEqual(replay(c, events, null))
      }),
      { numRuns: 300 },
    )
  })
  it('property: the same holds with a custom trigger (rule state rides in PolicyState.trigger)', () => {
    const trigger = anyOf(everyEpochs(2), whenImproved('val_loss', 'min', 0.01))
    fc.assert(
      fc.property(run, fc.nat(), (events, k) => {
        const c = config({ filepath: 'm-{epoch}.keras' })
        const split = events.length === 0 ? null : k % events.length
        expect(replay(c, events, split, trigger)).toEqual(replay(c, events, null, trigger))
      }),
      { numRuns: 200 },
    )
  })
  it('infinite bests survive JSON (JSON.stringify would make them null)', () => {
    const c = config({ filepath: 'b.keras', saveBestOnly: true, initialValueThreshold: Infinity })
    const s = initialPolicyState(c)
    expect(s.best).toBe('Infinity')
    const [s1] = right(policyReducer(c)(s, { kind: 'epoch', epoch: 0, logs: { val_loss: -Infinity } }))
    expect(right(decodePolicyState(JSON.parse(JSON.stringify(s1)))).best).toBe('-Infinity')
  })
  it('decoding rejects malformed states, naming the key', () => {
    const good = initialPolicyState(config({ filepath: 'm.keras' }))
    expect(left(decodePolicyState({ ...good, best: 'NaN' })).option).toBe('state.best')
    expect(left(decodePolicyState({ ...good, step: -1 })).option).toBe('state.step')
    expect(left(decodePolicyState({ ...good, version: 2 })).option).toBe('state.version')
    expect(left(decodePolicyState({ ...good, extra: 1 })).message).toBe(
      'state.extra: got 1 (unknown key); expected only the keys version, best, batchesSinceSave, lastBatchSeen, step, trigger, monitorChecked',
    )
    expect(left(decodePolicyState('x')).option).toBe('state')
    const { step: _omit, ...missing } = good
    expect(left(decodePolicyState(missing)).option).toBe('state.step')
  })
  it("a trigger's state is checked by the rule's own decoder", () => {
    const trigger = whenImproved('val_loss', 'min')
    const c = config({ filepath: 'm.keras' })
    const s = initialPolicyState(c, { trigger })
    expect(E.isRight(decodePolicyState(s, { trigger }))).toBe(true)
    expect(left(decodePolicyState({ ...s, trigger: { best: 'x' } }, { trigger })).option).toBe('state.trigger')
  })
})
