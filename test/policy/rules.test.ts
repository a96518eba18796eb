import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  afterSeconds,
  allOf,
  anyOf,
  everyEpochs,
  everySteps,
  initialPolicyState,
  not,
  onBatchEnd,
  onEpochEnd,
  policyReducer,
  validateRule,
  whenImproved,
  type AnyRule,
  type TrainingEvent,
} from '../../src/policy/index.js'
import { config, left, right } from './helpers.js'

/** Replays events through a policy built from `options`, returning which events it saved. */
const policySaves = (options: Record<string, unknown>, evs: ReadonlyArray<TrainingEvent>): boolean[] => {
  const c = config(options)
  const step = policyReducer(c)
  let s = initialPolicyState(c)
  return evs.map((e) => {
    const [next, d] = right(step(s, e))
    s = next
    return d._tag === 'Save'
  })
}

/** Runs a rule over events, returning what it fired and its final state. */
const fires = (rule: AnyRule, events: ReadonlyArray<TrainingEvent>): { fired: boolean[]; state: unknown } => {
  let s = rule.initial
  const fired: boolean[] = []
  for (const e of events) {
    const [next, f] = right(rule.step(s, e))
    s = next
    fired.push(f)
  }
  return { fired, state: s }
}

const events = fc
  .array(
    fc.record({
      batches: fc.integer({ min: 0, max: 6 }),
      v: fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constant(NaN)),
      dt: fc.integer({ min: 0, max: 4000 }),
    }),
    { maxLength: 15 },
  )
  .map((epochs) => {
    let t = 0
    return epochs.flatMap(({ batches, v, dt }, e): TrainingEvent[] => [
      ...Array.from({ length: batches }, (_, b): TrainingEvent => ({
        kind: 'batch',
        epoch: e,
        batch: b,
        logs: { loss: v + b },
        time: (t += dt / 4),
      })),
      { kind: 'epoch', epoch: e, logs: { loss: v, val_loss: v }, time: (t += dt) },
    ])
  })

const leaf: fc.Arbitrary<AnyRule> = fc.oneof<fc.Arbitrary<AnyRule>[]>(
  fc.integer({ min: 1, max: 4 }).map(everyEpochs),
  fc.integer({ min: 1, max: 9 }).map(everySteps),
  fc.constantFrom('min' as const, 'max' as const).map((m) => whenImproved('val_loss', m, 0.1)),
  fc.integer({ min: 1, max: 6 }).map(afterSeconds),
  fc.constant(onEpochEnd()),
  fc.constant(onBatchEnd()),
)

describe('rule combinators', () => {
  it('property: anyOf / allOf fire as the boolean or / and of their components, each stepping on every event', () => {
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 4 }), events, (rules, evs) => {
        const parts = rules.map((r) => fires(r, evs))
        const any = fires(anyOf(...rules), evs)
        const all = fires(allOf(...rules), evs)
        evs.forEach((_, i) => {
          expect(any.fired[i]).toBe(parts.some((p) => p.fired[i]))
          expect(all.fired[i]).toBe(parts.every((p) => p.fired[i]))
        })
        expect(any.state).toEqual(parts.map((p) => p.state))
        expect(all.state).toEqual(parts.map((p) => p.state))
      }),
      { numRuns: 200 },
    )
  })
  it('property: not() negates; anyOf(a) = a = allOf(a); de Morgan: not(anyOf(a, b)) = allOf(not(a), not(b))', () => {
    fc.assert(
      fc.property(leaf, leaf, events, (a, b, evs) => {
        expect(fires(not(a), evs).fired).toEqual(fires(a, evs).fired.map((f) => !f))
        expect(fires(anyOf(a), evs).fired).toEqual(fires(a, evs).fired)
        expect(fires(allOf(a), evs).fired).toEqual(fires(a, evs).fired)
        expect(fires(not(anyOf(a, b)), evs).fired).toEqual(fires(allOf(not(a), not(b)), evs).fired)
      }),
      { numRuns: 200 },
    )
  })
  it('property: every rule state is plain JSON and decodes back to itself after JSON round-trip', () => {
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 3 }), events, (rules, evs) => {
        const rule = anyOf(allOf(...rules), ...rules)
        const { state } = fires(rule, evs)
        expect(right(rule.decodeState(JSON.parse(JSON.stringify(state))))).toEqual(state)
      }),
      { numRuns: 200 },
    )
  })
  it('property: everySteps(n) fires exactly where the policy with saveFreq n saves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), events, (n, evs) => {
        const saved = policySaves({ filepath: 'm.keras', saveFreq: n, monitor: 'loss' }, evs)
        expect(fires(everySteps(n), evs).fired).toEqual(saved)
      }),
      { numRuns: 200 },
    )
  })
  it('property: allOf(onEpochEnd(), whenImproved(m, mode, d)) fires exactly where saveBestOnly saves', () => {
    fc.assert(
      fc.property(fc.constantFrom('min' as const, 'max' as const), fc.constantFrom(0, 0.1), events, (mode, d, evs) => {
        const saved = policySaves({ filepath: 'm.keras', monitor: 'val_loss', mode, saveBestOnly: true, minDelta: d }, evs)
        expect(fires(allOf(onEpochEnd(), whenImproved('val_loss', mode, d)), evs).fired).toEqual(saved)
      }),
      { numRuns: 200 },
    )
  })

  it('everyEpochs(n) fires on 1-based epochs n, 2n, … and never on batches', () => {
    const evs: TrainingEvent[] = [0, 1, 2, 3, 4, 5].flatMap((e): TrainingEvent[] => [
      { kind: 'batch', epoch: e, batch: 0, logs: {} },
      { kind: 'epoch', epoch: e, logs: {} },
    ])
    expect(fires(everyEpochs(3), evs).fired).toEqual([false, false, false, false, false, true, false, false, false, false, false, true])
  })
  it('afterSeconds(t) fires t seconds after it last fired, timed by the events; no time is an error', () => {
    const at = (time: number): TrainingEvent => ({ kind: 'epoch', epoch: 0, logs: {}, time })
    expect(fires(afterSeconds(2), [at(1000), at(2500), at(3000), at(4000), at(5000)]).fired).toEqual([false, false, true, false, true])
    expect(left(afterSeconds(2).step({ since: null }, { kind: 'epoch', epoch: 0, logs: {} })).message).toBe(
      'afterSeconds(2) needs event.time (ms since the Unix epoch) on every event',
    )
  })
  it('whenImproved ignores missing and NaN values', () => {
    const ev = (logs: Record<string, number>): TrainingEvent => ({ kind: 'epoch', epoch: 0, logs })
    expect(
      fires(whenImproved('acc', 'max'), [ev({}), ev({ acc: NaN }), ev({ acc: 0.5 }), ev({ acc: 0.4 }), ev({ acc: 0.6 })]).fired,
    ).toEqual([false, false, true, false, true])
  })
  it('invalid construction arguments are reported as values, not thrown', () => {
    const bad = anyOf(everyEpochs(0), everySteps(1.5), whenImproved('', 'up' as 'min', -1), afterSeconds(NaN))
    const e = left(validateRule(bad))
    expect(e.option).toBe('trigger')
    expect(e.issues.map((i) => i.message.split(' (')[1]?.split(')')[0])).toEqual([
      'everyEpochs: n must be a positive integer, got 0',
      'everySteps: n must be a positive integer, got 1.5',
      'whenImproved: monitor must be a non-empty string, got ""',
      "whenImproved: mode must be 'min' or 'max', got \"up\"",
      'whenImproved: minDelta must be a finite number >= 0, got -1',
      'afterSeconds: seconds must be a finite number > 0, got NaN',
    ])
    expect(left(validateRule(anyOf())).message).toContain('anyOf: needs at least one rule')
    const c = config({ filepath: 'm.keras' })
    expect(left(policyReducer(c, { trigger: bad })(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: {} }))._tag).toBe('RuleError')
    expect(E.isRight(validateRule(everyEpochs(2)))).toBe(true)
  })
})

describe('a custom trigger plugged into the policy', () => {
  it("replaces saveFreq; saveBestOnly, messages and filenames stay the policy's", () => {
    const c = config({ filepath: 'm-{epoch}-{batch}.keras', monitor: 'loss', saveBestOnly: true, verbose: 1, saveFreq: 1000 })
    const trigger = anyOf(everySteps(2), onEpochEnd())
    const step = policyReducer(c, { trigger })
    let s = initialPolicyState(c, { trigger })
    const out: string[] = []
    const evs: TrainingEvent[] = [
      { kind: 'batch', epoch: 0, batch: 0, logs: { loss: 3 } },
      { kind: 'batch', epoch: 0, batch: 1, logs: { loss: 2 } },
      { kind: 'batch', epoch: 0, batch: 2, logs: { loss: 2.5 } },
      { kind: 'epoch', epoch: 0, logs: { loss: 2.5, batch: 3 } },
    ]
    for (const e of evs) {
      const [next, d] = right(step(s, e))
      s = next
      out.push(d._tag === 'Save' ? `save ${d.path}` : `skip ${d.messages.join('|')}`)
    }
    expect(out).toEqual(['skip ', 'save m-1-2.keras', 'skip ', 'skip Epoch 1: loss did not improve from 2.00000'])
    expect(s.trigger).toEqual([{ seen: 1, last: 2 }, null])
  })
})
