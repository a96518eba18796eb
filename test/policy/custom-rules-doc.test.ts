import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodePolicyState, initialPolicyState, policyReducer, simulate, validateRule, type TrainingEvent } from '../../src/policy/index.js'
import { relativeDrop, trigger } from './custom-rule-example.js'
import { config, right } from './helpers.js'

const epochEnd = (epoch: number, val_loss: number): TrainingEvent => ({ kind: 'epoch', epoch, logs: { val_loss } })

describe('docs/custom-rules.md: the worked example', () => {
  it('the doc shows exactly the code tested here (import path aside)', () => {
    const doc = readFileSync(new URL('../../docs/custom-rules.md', import.meta.url), 'utf8')
    const code = readFileSync(new URL('./custom-rule-example.ts', import.meta.url), 'utf8').replace("'../../src/policy/index.js'", "'ckpt'")
    expect(doc).toContain(code)
  })
  it('relativeDrop fires on a 1% relative drop and ignores smaller ones, NaN and missing values', () => {
    const rule = relativeDrop('val_loss', 0.01)
    let s = rule.initial
    const fired: boolean[] = []
    for (const [i, v] of [1.0, 0.995, 0.99, NaN, 0.985, 0.98].entries()) {
      const [next, f] = right(rule.step(s, epochEnd(i, v)))
      s = next
      fired.push(f)
    }
    expect(fired).toEqual([true, false, true, false, false, true])
    expect(s).toEqual({ value: 0.98 })
  })
  it('invalid arguments are caught by validateRule', () => {
    expect(E.isLeft(validateRule(relativeDrop('val_loss', 2)))).toBe(true)
    expect(E.isRight(validateRule(trigger))).toBe(true)
  })
  it('plugged into the policy, with a restart in the middle: the same decisions as one run', () => {
    const c = config({ filepath: 'ckpt-{epoch:02d}.keras' })
    const events: TrainingEvent[] = [1.0, 0.999, 0.95, 0.96, 0.9].map((v, i) => epochEnd(i, v))
    const run = (restartAt: number | null) => {
      const step = policyReducer(c, { trigger })
      let state = initialPolicyState(c, { trigger })
      return events.map((ev, i) => {
        if (i === restartAt) state = right(decodePolicyState(JSON.parse(JSON.stringify(state)), { trigger }))
        const [next, d] = right(step(state, ev))
        state = next
        return d._tag === 'Save' ? d.path : null
      })
    }
    expect(run(null)).toEqual(['ckpt-01.keras', null, 'ckpt-03.keras', null, 'ckpt-05.keras'])
    expect(run(3)).toEqual(run(null))
  })
  it('the built-in triggers replay through simulate as plain options would (everySteps = saveFreq)', () => {
    const out = right(
      simulate({ filepath: 'b{batch}.keras', saveFreq: 1000, monitor: 'loss' }, [{ epoch: 0, batch: 999, logs: { loss: 1 } }]),
    )
    expect(out[0]!.save).toBe(true)
  })
})
