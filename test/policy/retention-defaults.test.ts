/**
 * The defaults (keepLatest and keepBest true) keep what retention kept before they existed. The rule as it was is
 * written out below; the one intended change is saveTopK's tie rule (top-k-ties.test.ts), so saveTopK is compared on
 * traces without ties, the other rules on any trace.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rankOrder, rankValue, type CheckpointRecord, type Ranking, type RetentionOptions } from '../../src/policy/index.js'
import { distinct, historyOf, paths, ranking, sequence, tiedValue } from './support/retention-traces.js'

/** Retention before keepLatest / keepBest: the newest and the best always kept; saveTopK the first k of rankOrder. */
const before = (o: RetentionOptions, r: Ranking, existing: ReadonlyArray<CheckpointRecord>, added: CheckpointRecord) => {
  const all = [...existing.filter((x) => x.path !== added.path), added]
  if (o.saveTopK === undefined && o.maxToKeep === undefined && o.keepPeriod === undefined && o.keepTimeInterval === undefined) return all
  const order = rankOrder(r, all, (x) => x)
  const kept = new Set<number>([all.length - 1])
  if (order[0] !== undefined && !Number.isNaN(rankValue(r, all[order[0]]!))) kept.add(order[0])
  if (o.saveTopK !== undefined) for (const i of o.saveTopK === -1 ? order : order.slice(0, o.saveTopK)) kept.add(i)
  if (o.maxToKeep !== undefined) all.forEach((_, i) => i >= all.length - o.maxToKeep! && kept.add(i))
  if (o.keepPeriod !== undefined) all.forEach((x, i) => (x.epoch + 1) % o.keepPeriod! === 0 && kept.add(i))
  if (o.keepTimeInterval !== undefined) {
    let last: number | null = null
    all.forEach((x, i) => {
      if (last === null || x.time - last >= o.keepTimeInterval!) {
        kept.add(i)
        last = x.time
      }
    })
  }
  return all.filter((_, i) => kept.has(i))
}

const counts = fc.record(
  {
    maxToKeep: fc.integer({ min: 1, max: 4 }),
    keepPeriod: fc.integer({ min: 1, max: 4 }),
    keepTimeInterval: fc.integer({ min: 1, max: 5000 }),
  },
  { requiredKeys: [] },
)
const defaults = fc.constantFrom<RetentionOptions>({}, { keepLatest: true }, { keepBest: true }, { keepLatest: true, keepBest: true })

const sameAsBefore = (o: RetentionOptions, r: Ranking, records: ReadonlyArray<CheckpointRecord>) =>
  sequence(o, r, records).forEach(({ kept, before: existing, added }) => expect(paths(kept)).toEqual(paths(before(o, r, existing, added))))

describe('retention defaults are what they were', () => {
  it('maxToKeep, keepPeriod and keepTimeInterval, alone or together, on traces with ties, NaN and missing values', () => {
    fc.assert(
      fc.property(counts, defaults, ranking, historyOf(tiedValue), (o, d, r, records) => sameAsBefore({ ...o, ...d }, r, records)),
      { numRuns: 400 },
    )
  })
  it('saveTopK, alone or with the others, on traces without ties', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 5 }), counts, defaults, ranking, distinct, (k, o, d, r, records) =>
        sameAsBefore({ saveTopK: k, ...o, ...d }, r, records),
      ),
      { numRuns: 400 },
    )
  })
})
