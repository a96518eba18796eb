import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromJsonFloat, initialPolicyState, policyReducer, type PolicyState } from '../../src/policy/index.js'
import { config, right } from './helpers.js'

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((i) => i / 4) }, // exact ties with minDelta
)
const mode = fc.constantFrom('min' as const, 'max' as const)
const minDelta = fc.constantFrom(0, 0.25, 1e-3, 0.5)
const threshold = fc.option(fc.double({ min: -5, max: 5, noNaN: true }), { nil: null })

const bestOf = (s: PolicyState): number | null => (s.best === null ? null : fromJsonFloat(s.best))

describe('saveBestOnly', () => {
  it('property: the best value only ever moves in the mode direction', () => {
    fc.assert(
      fc.property(mode, minDelta, threshold, fc.array(value, { maxLength: 40 }), (m, d, thr, values) => {
        const c = config({ filepath: 'b.keras', monitor: 'score', mode: m, saveBestOnly: true, minDelta: d, initialValueThreshold: thr })
        const step = policyReducer(c)
        let s = initialPolicyState(c)
        for (const [i, v] of values.entries()) {
          const before = bestOf(s)
          s = right(step(s, { kind: 'epoch', epoch: i, logs: { score: v } }))[0]
          const after = bestOf(s)
          if (before !== null && after !== null && (m === 'min' ? after > before : after < before)) return false
          if (before !== null && after === null) return false
        }
        return true
      }),
      { numRuns: 300 },
    )
  })

  it("property: a save happens exactly when current beats best by more than minDelta (Keras's monitor_op(current - min_delta, best))", () => {
    fc.assert(
      fc.property(mode, minDelta, threshold, fc.array(value, { maxLength: 40 }), (m, d, thr, values) => {
        const c = config({ filepath: 'b.keras', monitor: 'score', mode: m, saveBestOnly: true, minDelta: d, initialValueThreshold: thr })
        const step = policyReducer(c)
        let s = initialPolicyState(c)
        let best: number | null = thr
        for (const [i, v] of values.entries()) {
          const [next, decision] = right(step(s, { kind: 'epoch', epoch: i, logs: { score: v } }))
          // Keras: min_delta = -|d| in mode min; improvement = op(current - min_delta, best)
          const signed = m === 'min' ? -d : d
          const beats = !Number.isNaN(v) && (best === null || (m === 'min' ? v - signed < best : v - signed > best))
          if ((decision._tag === 'Save') !== beats) return false
          if (beats) best = v
          if (bestOf(next) !== (best === null ? null : best === 0 ? 0 : best)) return false
          s = next
        }
        return true
      }),
      { numRuns: 300 },
    )
  })

  it('best starts at initialValueThreshold: a value that does not beat it is not saved', () => {
    const c = config({ filepath: 'b.keras', saveBestOnly: true, initialValueThreshold: 0.3, verbose: 1 })
    const r = right(policyReducer(c)(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: { val_loss: 0.4 } }))
    expect(r[1]).toEqual({ _tag: 'Skip', messages: ['Epoch 1: val_loss did not improve from 0.30000'], warnings: [] })
  })

  it('minDelta: equal-to-delta improvements do not count (strict), larger ones do', () => {
    const c = config({ filepath: 'b.keras', monitor: 'acc', saveBestOnly: true, minDelta: 0.25, initialValueThreshold: 0.5 })
    const step = policyReducer(c)
    const s0 = initialPolicyState(c)
    expect(right(step(s0, { kind: 'epoch', epoch: 0, logs: { acc: 0.75 } }))[1]._tag).toBe('Skip')
    expect(right(step(s0, { kind: 'epoch', epoch: 0, logs: { acc: 0.875 } }))[1]._tag).toBe('Save')
  })

  it('saveBestOnly false never moves best (Keras leaves it alone)', () => {
    const c = config({ filepath: 'b-{epoch}.keras', monitor: 'loss' })
    const r = policyReducer(c)(initialPolicyState(c), { kind: 'epoch', epoch: 0, logs: { loss: 1 } })
    expect(E.isRight(r) && r.right[0].best).toBe(null)
  })
})
