import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  everyEpochs,
  initialPolicyState,
  policyReducer,
  simulate,
  type AnyRule,
  type Decision,
  type PolicyState,
  type TrainingEvent,
} from '../../src/policy/index.js'
import { config, left, right } from './helpers.js'

/** Every decision of `events` through the policy of `options`, and the states after each. */
const replay = (options: Record<string, unknown>, events: ReadonlyArray<TrainingEvent>, trigger?: AnyRule) => {
  const c = config(options)
  const step = policyReducer(c, trigger ? { trigger } : {})
  let state: PolicyState = initialPolicyState(c, trigger ? { trigger } : {})
  const decisions: Decision[] = []
  const states: PolicyState[] = []
  for (const ev of events) {
    const [next, d] = right(step(state, ev))
    state = next
    decisions.push(d)
    states.push(next)
  }
  return { decisions, states }
}

const epochs = (values: ReadonlyArray<number>): TrainingEvent[] =>
  values.map((val_loss, epoch) => ({ kind: 'epoch', epoch, logs: { loss: 1, val_loss }, time: 1000 + epoch }))

describe('saveLast: the policy decides a `last` save at every save opportunity', () => {
  it('saveBestOnly: last at every epoch end, also when the regular save is skipped (and on a missing monitor)', () => {
    const events = [...epochs([0.5, 0.3, 0.4, 0.6, 0.2]), { kind: 'epoch', epoch: 5, logs: { loss: 1 }, time: 2000 } as const]
    const { decisions } = replay(
      { filepath: 'e{epoch:02d}-{loss:.1f}.safetensors', saveBestOnly: true, saveLast: true, verbose: 1 },
      events,
    )
    expect(decisions.map((d) => d._tag)).toEqual(['Save', 'Save', 'Skip', 'Skip', 'Save', 'Skip'])
    expect(decisions.map((d) => d.last?.path)).toEqual(Array(6).fill('last.safetensors'))
    // The last save carries the event's data, as the regular one would.
    expect(decisions[2]!.last).toMatchObject({ _tag: 'Save', kind: 'epoch', epoch: 2, batch: null, score: 0.4, time: 1002, messages: [] })
    expect(decisions[5]!.last).toMatchObject({ epoch: 5, score: null })
    expect(decisions[5]!.warnings).toEqual(['Can save best model only with val_loss available, skipping.'])
    // Keras's lines are unchanged.
    expect(decisions[3]!.messages).toEqual(['Epoch 4: val_loss did not improve from 0.30000'])
  })

  it('an integer saveFreq: last at every n-th batch, never at epoch ends or between', () => {
    const events: TrainingEvent[] = []
    for (let e = 0; e < 3; e++) {
      for (let b = 0; b < 4; b++) events.push({ kind: 'batch', epoch: e, batch: b, logs: { loss: 1 / (e * 4 + b + 1) } })
      events.push({ kind: 'epoch', epoch: e, logs: { loss: 0.1 } })
    }
    const { decisions } = replay(
      {
        filepath: 'b{epoch}-{batch}.safetensors',
        monitor: 'loss',
        saveFreq: 3,
        saveLast: true,
        lastFilepath: 'last-{epoch}-{batch}.safetensors',
      },
      events,
    )
    const at = decisions.flatMap((d, i) => (d.last ? [[events[i]!.epoch + 1, (events[i]!.batch ?? -1) + 1, d.last.path, d._tag]] : []))
    expect(at).toEqual([
      [1, 3, 'last-1-3.safetensors', 'Save'],
      [2, 2, 'last-2-2.safetensors', 'Save'],
      [3, 1, 'last-3-1.safetensors', 'Save'],
      [3, 4, 'last-3-4.safetensors', 'Save'],
    ])
  })

  it('a custom trigger: last whenever the trigger fires', () => {
    const { decisions } = replay(
      { filepath: 'e{epoch}.safetensors', monitor: 'val_loss', saveBestOnly: true, saveLast: true },
      epochs([0.5, 0.6, 0.7, 0.8, 0.9]),
      everyEpochs(2),
    )
    expect(decisions.map((d) => [d._tag, d.last?.path ?? null])).toEqual([
      ['Skip', null],
      ['Save', 'last.safetensors'],
      ['Skip', null],
      ['Skip', 'last.safetensors'],
      ['Skip', null],
    ])
  })

  it('a template lastFilepath that the logs cannot fill is an error naming lastFilepath; so is one rendering the regular path', () => {
    const c = config({ filepath: 'e{epoch}.safetensors', monitor: 'loss', saveLast: true, lastFilepath: 'last-{acc:.2f}.safetensors' })
    const e = left(policyReducer(c)(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: { loss: 1 } }))
    expect(e).toMatchObject({ _tag: 'TemplateRenderError', filepath: 'last-{acc:.2f}.safetensors', field: 'acc' })
    expect(e.message).toMatch(/^Failed to format this callback filepath: "last-\{acc:.2f\}.safetensors". Reason: /)

    const same = config({ filepath: 'e{epoch}.safetensors', monitor: 'loss', saveLast: true, lastFilepath: 'e{loss:.0f}.safetensors' })
    const clash = left(policyReducer(same)(initialPolicyState(same), { kind: 'epoch', epoch: 0, logs: { loss: 1 } }))
    expect(clash).toMatchObject({ _tag: 'TemplateRenderError', filepath: 'e{loss:.0f}.safetensors', field: null })
    expect(clash.message).toContain('rendered "e1.safetensors", the path filepath rendered for the same event')
  })

  it('simulate reports where last goes', () => {
    const r = simulate({ filepath: 'e{epoch}.safetensors', saveBestOnly: true, saveLast: true }, [
      { epoch: 0, logs: { val_loss: 1 } },
      { epoch: 1, logs: { val_loss: 2 } },
    ])
    expect(E.isRight(r) && r.right).toEqual([
      { save: true, path: 'e1.safetensors', messages: [], last: 'last.safetensors' },
      { save: false, path: null, messages: [], last: 'last.safetensors' },
    ])
  })
})

const value = fc.oneof({ weight: 9, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) })
const trace = fc
  .array(fc.record({ batches: fc.integer({ min: 0, max: 4 }), loss: value, val: value }), { maxLength: 10 })
  .map((es) =>
    es.flatMap(({ batches, loss, val }, e): TrainingEvent[] => [
      ...Array.from({ length: batches }, (_, b): TrainingEvent => ({ kind: 'batch', epoch: e, batch: b, logs: { loss: loss + b } })),
      { kind: 'epoch', epoch: e, logs: { loss, val_loss: val } },
    ]),
  )
const policies = fc.oneof(
  fc.record({ filepath: fc.constant('e{epoch}.safetensors'), saveBestOnly: fc.boolean(), verbose: fc.constantFrom(0, 1) }),
  fc.record({
    filepath: fc.constant('b{epoch}-{batch}.safetensors'),
    monitor: fc.constant('loss'),
    saveBestOnly: fc.boolean(),
    saveFreq: fc.integer({ min: 1, max: 5 }),
  }),
)

describe('saveLast: laws over random traces', () => {
  it('the regular decisions and the states are those without saveLast; last comes at exactly the save opportunities', () => {
    fc.assert(
      fc.property(policies, trace, (options, events) => {
        const plain = replay(options, events)
        const withLast = replay({ ...options, saveLast: true }, events)
        // What the regular checkpoints get is unchanged (the `last` field aside), and so is the state.
        expect(withLast.decisions.map(({ last: _, ...d }) => d)).toEqual(plain.decisions)
        expect(withLast.states).toEqual(plain.states)
        // An opportunity: an epoch end with saveFreq 'epoch', else a batch end that completes saveFreq batches.
        const opportunities = replay({ ...options, saveBestOnly: false }, events).decisions.map((d) => d._tag === 'Save')
        expect(withLast.decisions.map((d) => d.last !== undefined)).toEqual(opportunities)
        for (const d of withLast.decisions) if (d.last) expect(d.last.path).toBe('last.safetensors')
      }),
      { numRuns: 300 },
    )
  })
})
