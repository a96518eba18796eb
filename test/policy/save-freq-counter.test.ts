import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  initialPolicyState,
  policyReducer,
  simulate,
  type PolicyState,
  type SimulatedEvent,
  type TrainingEvent,
} from '../../src/policy/index.js'
import { config, right } from './helpers.js'

/** Batch events of `epochs` epochs with `perEpoch` batches each. */
const epochsOf = (epochs: number, perEpoch: number): SimulatedEvent[] =>
  Array.from({ length: epochs }, (_, e) => [
    ...Array.from({ length: perEpoch }, (_, b) => ({ epoch: e, batch: b, logs: { loss: 1 } })),
    { epoch: e, logs: { loss: 1 } },
  ]).flat()

describe('integer saveFreq: the batch counter is never reset at epoch boundaries', () => {
  it('REFERENCE example: 4 batches per epoch, saveFreq 3 saves at (1,3), (2,2), (3,1), (3,4), 1-based', () => {
    const events = epochsOf(3, 4)
    const out = right(simulate({ filepath: 'm-{epoch}-{batch}.keras', saveFreq: 3, monitor: 'loss' }, events))
    expect(out.filter((d) => d.save).map((d) => d.path)).toEqual(['m-1-3.keras', 'm-2-2.keras', 'm-3-1.keras', 'm-3-4.keras'])
  })
  it('epoch-end events never save with an integer saveFreq', () => {
    const events = epochsOf(5, 2)
    const out = right(simulate({ filepath: 'm-{epoch}-{batch}.keras', saveFreq: 1, monitor: 'loss' }, events))
    events.forEach((ev, i) => expect(out[i]!.save).toBe(ev.batch !== undefined))
  })
  it("saveFreq 'epoch' saves on every epoch end and never on a batch end", () => {
    const events = epochsOf(3, 3)
    const out = right(simulate({ filepath: 'm-{epoch}.keras', monitor: 'loss' }, events))
    events.forEach((ev, i) => expect(out[i]!.save).toBe(ev.batch === undefined))
  })
  it('counts skipped batch indices like Keras (steps_per_execution): batch - last within an epoch, batch + 1 on a new one', () => {
    const c = config({ filepath: 'm-{batch}.keras', saveFreq: 10, monitor: 'loss' })
    const step = policyReducer(c)
    let s = initialPolicyState(c)
    const seen: number[] = []
    for (const batch of [3, 7, 2, 9]) {
      s = right(step(s, { kind: 'batch', epoch: 0, batch, logs: {} }))[0]
      seen.push(s.batchesSinceSave)
    }
    // 3 -> +4 = 4; 7 -> +4 = 8; 2 (new epoch) -> +3 = 11 >= 10: save, reset to 0; 9 -> +7 = 7
    expect(seen).toEqual([4, 8, 0, 7])
    expect(s.step).toBe(4 + 4 + 3 + 7)
  })

  it('property: #saves over any batch sequence = #times an independent model of the counter reaches n', () => {
    const batchSeq = fc.array(fc.record({ batch: fc.nat({ max: 12 }), epochEnd: fc.boolean() }), { maxLength: 120 })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), batchSeq, (n, seq) => {
        const c = config({ filepath: 'm.keras', saveFreq: n, monitor: 'loss' })
        const step = policyReducer(c)
        let s: PolicyState = initialPolicyState(c)
        let saves = 0
        // independent model
        let count = 0
        let last: number | null = null
        let reached = 0
        let epoch = 0
        for (const { batch, epochEnd } of seq) {
          const ev: TrainingEvent = { kind: 'batch', epoch, batch, logs: { loss: 0 } }
          const r = step(s, ev)
          if (E.isLeft(r)) return false
          s = r.right[0]
          if (r.right[1]._tag === 'Save') saves++
          count += last === null || batch <= last ? batch + 1 : batch - last
          last = batch
          if (count >= n) {
            reached++
            count = 0
          }
          if (epochEnd) {
            const r2 = step(s, { kind: 'epoch', epoch, logs: { loss: 0 } })
            if (E.isLeft(r2) || r2.right[1]._tag === 'Save') return false
            s = r2.right[0]
            epoch++
          }
        }
        return saves === reached && s.batchesSinceSave === count
      }),
      { numRuns: 300 },
    )
  })
})
