/**
 * keepLatest / keepBest: with both false, retention keeps exactly what its rules keep (maxToKeep: the newest n, as
 * tf.train.CheckpointManager and Orbax; saveTopK: Lightning's set); each true adds its one protected checkpoint.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bestOf, retain, type CheckpointRecord, type Ranking, type RetentionOptions } from '../../src/policy/index.js'
import {
  epochs,
  distinct,
  historyOf,
  lightningReference,
  min,
  paths,
  rec,
  ranking,
  sequence,
  tiedValue,
} from './support/retention-traces.js'

const exact = { keepLatest: false, keepBest: false } as const
const flags = fc.record({ keepLatest: fc.boolean(), keepBest: fc.boolean() })
const rules = fc.record(
  {
    saveTopK: fc.integer({ min: -1, max: 4 }),
    maxToKeep: fc.integer({ min: 1, max: 4 }),
    keepPeriod: fc.integer({ min: 1, max: 4 }),
    keepTimeInterval: fc.integer({ min: 1, max: 5000 }),
  },
  { requiredKeys: [] },
)

describe('keepLatest and keepBest', () => {
  it('both false: maxToKeep keeps exactly the newest n after every save', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), ranking, historyOf(tiedValue), (n, r, records) =>
        sequence({ maxToKeep: n, ...exact }, r, records).every(
          ({ kept, before, added }) => paths(kept).join() === paths([...before, added].slice(-n)).join(),
        ),
      ),
      { numRuns: 300 },
    )
  })

  it("both false: saveTopK keeps exactly Lightning's save_top_k set after every save", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 5 }), ranking, historyOf(tiedValue), (k, r, records) => {
        const expected = lightningReference(
          r.mode,
          k,
          records.map((x) => x.score),
        )
        sequence({ saveTopK: k, ...exact }, r, records).forEach(({ kept }, i) => expect(epochs(kept)).toEqual(expected[i]))
      }),
      { numRuns: 500 },
    )
  })

  it("saveTopK alone, any flags: exactly Lightning's set, plus the newest and the best where protected", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 5 }), flags, ranking, historyOf(tiedValue), (k, f, r, records) => {
        const topK = lightningReference(
          r.mode,
          k,
          records.map((x) => x.score),
        )
        sequence({ saveTopK: k, ...f }, r, records).forEach(({ kept, before, added }, i) => {
          const expected = new Set(topK[i])
          if (f.keepLatest) expected.add(added.epoch)
          const best = bestOf(r, [...before, added], (x) => x)
          if (f.keepBest && best !== null) expected.add(best.epoch)
          expect(epochs(kept)).toEqual([...expected].sort((a, b) => a - b))
        })
      }),
      { numRuns: 500 },
    )
  })

  it("saveTopK with other rules and any flags, on traces without ties: Lightning's set survives", () => {
    fc.assert(
      fc.property(rules, flags, ranking, distinct, (o, f, r, records) => {
        const topK =
          o.saveTopK === undefined
            ? null
            : lightningReference(
                r.mode,
                o.saveTopK,
                records.map((x) => x.score),
              )
        sequence({ ...o, ...f }, r, records).forEach(({ kept }, i) => {
          for (const e of topK?.[i] ?? []) expect(epochs(kept)).toContain(e)
        })
      }),
      { numRuns: 300 },
    )
  })

  it('keep and remove split what was there plus the added one: keep is a subset of the saves, in save order', () => {
    fc.assert(
      fc.property(rules, flags, ranking, historyOf(tiedValue), (o, f, r, records) => {
        for (const { kept, removed, before, added } of sequence({ ...o, ...f }, r, records)) {
          const all = [...before, added]
          expect([...kept, ...removed].sort((a, b) => a.epoch - b.epoch)).toEqual(all)
          expect(kept.filter((k) => removed.includes(k))).toEqual([])
          expect(epochs(kept)).toEqual([...epochs(kept)].sort((a, b) => a - b))
        }
      }),
      { numRuns: 300 },
    )
  })

  /** Nothing incremental retention deleted is kept by one call over the whole history. */
  const stable = (o: RetentionOptions, r: Ranking, records: ReadonlyArray<CheckpointRecord>) => {
    const removedEver = new Set(sequence(o, r, records).flatMap((s) => paths(s.removed)))
    return paths(retain(o, r, records.slice(0, -1), records.at(-1)!).keep).every((p) => !removedEver.has(p))
  }
  const oneRule = rules.filter((o) => Object.keys(o).length <= 1)

  it('stability with any flags: each rule alone on any trace, rules together on traces without ties', () => {
    fc.assert(
      fc.property(oneRule, flags, ranking, historyOf(tiedValue), (o, f, r, records) => stable({ ...o, ...f }, r, records)),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(rules, flags, ranking, distinct, (o, f, r, records) => stable({ ...o, ...f }, r, records)),
      { numRuns: 300 },
    )
  })

  it('saveTopK with another rule replays over the survivors: at a tie with the k-th it may hold one that rule kept', () => {
    // min, k 3, keepPeriod 2 (keeps epochs 1, 3, 5, 0-based). Lightning holds {1, 2, 4}: epoch 3 only tied the worst.
    // Epoch 0 is deleted at epoch 4, so the replay at epoch 5 finds room for epoch 3 (kept by keepPeriod) and holds
    // {1, 3, 4}: epoch 2, of the same value as 3, goes.
    const values = [0.25, 0, 0.25, 0.25, 0, 0.25]
    const options = { saveTopK: 3, keepPeriod: 2, ...exact }
    expect(lightningReference('min', 3, values).at(-1)).toEqual([1, 2, 4])
    expect(
      epochs(
        sequence(
          options,
          min,
          values.map((v, i) => rec(i, v)),
        ).at(-1)!.kept,
      ),
    ).toEqual([1, 3, 4, 5])
  })

  it('without a rule, the flags change nothing: everything is kept', () => {
    const { keep, remove } = retain(exact, min, [rec(0, 3), rec(1, 2)], rec(2, 1))
    expect(paths(keep)).toEqual(['c0.keras', 'c1.keras', 'c2.keras'])
    expect(remove).toEqual([])
  })

  it('both false: the added checkpoint itself is removed when no rule keeps it', () => {
    const { keep, remove } = retain({ saveTopK: 1, ...exact }, min, [rec(0, 0.1)], rec(1, 0.5))
    expect(paths(keep)).toEqual(['c0.keras'])
    expect(paths(remove)).toEqual(['c1.keras'])
  })

  it('mixed: keepLatest false, keepBest true keeps the rules’ set plus the best; the opposite keeps it plus the newest', () => {
    const existing = [rec(0, 0.1), rec(1, 0.5), rec(2, 0.6), rec(3, 0.7)]
    // maxToKeep 2: the newest two (c3, c4); the best (c0) only when keepBest
    expect(paths(retain({ maxToKeep: 2, keepLatest: false, keepBest: true }, min, existing, rec(4, 0.8)).keep)).toEqual([
      'c0.keras',
      'c3.keras',
      'c4.keras',
    ])
    expect(paths(retain({ maxToKeep: 2, keepLatest: true, keepBest: false }, min, existing, rec(4, 0.8)).keep)).toEqual([
      'c3.keras',
      'c4.keras',
    ])
    // saveTopK 1: c0; the newest (c4, worse) only when keepLatest
    expect(paths(retain({ saveTopK: 1, keepLatest: true, keepBest: false }, min, existing, rec(4, 0.8)).keep)).toEqual([
      'c0.keras',
      'c4.keras',
    ])
    expect(paths(retain({ saveTopK: 1, keepLatest: false, keepBest: true }, min, existing, rec(4, 0.8)).keep)).toEqual(['c0.keras'])
    // keepPeriod 2 keeps 1-based epochs 2 and 4 (c1, c3); the best c0 rides on keepBest
    expect(paths(retain({ keepPeriod: 2, keepLatest: false, keepBest: true }, min, existing, rec(4, 0.8)).keep)).toEqual([
      'c0.keras',
      'c1.keras',
      'c3.keras',
    ])
  })
})
