/**
 * An unknown option names the nearest option when it looks like a typo, and lists every option the entry point takes:
 * decodePolicyOptions (also simulate's and the CLI's --config) and decodeRetentionOptions.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePolicyOptions, decodeRetentionOptions, simulate } from '../../src/policy/index.js'
import { POLICY_KEYS, RETENTION_KEYS } from '../support/option-keys.js'
import { left } from './helpers.js'
import { acceptedList, unknownTypoOf } from './support/typos.js'

const policyKeys = Object.keys(POLICY_KEYS)
const retentionKeys = Object.keys(RETENTION_KEYS)

describe('decodePolicyOptions: an unknown option', () => {
  it('saveBestOnyl suggests saveBestOnly and lists every policy option', () => {
    const e = left(decodePolicyOptions({ filepath: 'm.keras', saveBestOnyl: true }))
    expect(e.option).toBe('saveBestOnyl')
    expect(e.message).toBe(
      'saveBestOnyl: got true (unknown option; did you mean saveBestOnly?); expected one of the options filepath, monitor, mode, saveBestOnly, saveWeightsOnly, saveFreq, initialValueThreshold, verbose, minDelta, saveTopK, maxToKeep, keepPeriod, keepTimeInterval, keepLatest, keepBest, saveLast, lastFilepath',
    )
  })
  it('any one-edit typo of any option suggests that option, and the list is every key of PolicyOptions', () => {
    fc.assert(
      fc.property(unknownTypoOf(policyKeys), ({ name, typo }) => {
        const e = left(decodePolicyOptions({ filepath: 'm.keras', [typo]: 1 }))
        const issue = e.issues.find((i) => i.option === typo)!
        expect(issue.message).toContain(`(unknown option; did you mean ${name}?)`)
        expect(acceptedList(issue.message).sort()).toEqual([...policyKeys].sort())
      }),
    )
  })
  it('a name far from every option gets the list and no suggestion', () => {
    const e = left(decodePolicyOptions({ filepath: 'm.keras', learningRate: 0.1 }))
    expect(e.message).toMatch(/^learningRate: got 0\.1 \(unknown option\); expected one of the options filepath, /)
  })
  it('simulate reports it the same way', () => {
    expect(left(simulate({ filepath: 'm.keras', monitr: 'loss' }, [])).message).toMatch(
      /^monitr: got "loss" \(unknown option; did you mean monitor\?\); expected one of the options filepath, monitor, /,
    )
  })
})

describe('decodeRetentionOptions: an unknown option', () => {
  it('maxToKep suggests maxToKeep and lists the retention options', () => {
    expect(left(decodeRetentionOptions({ maxToKep: 3 })).message).toBe(
      'maxToKep: got 3 (unknown option; did you mean maxToKeep?); expected one of the options saveTopK, maxToKeep, keepPeriod, keepTimeInterval, keepLatest, keepBest',
    )
  })
  it('any one-edit typo of any option suggests that option, and the list is every key of RetentionOptions', () => {
    fc.assert(
      fc.property(unknownTypoOf(retentionKeys), ({ name, typo }) => {
        const e = left(decodeRetentionOptions({ [typo]: 1 }))
        expect(e.option).toBe(typo)
        expect(e.message).toContain(`(unknown option; did you mean ${name}?)`)
        expect(acceptedList(e.message).sort()).toEqual([...retentionKeys].sort())
      }),
    )
  })
})
