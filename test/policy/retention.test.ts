import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rankValue, retain, type CheckpointRecord, type Ranking, type RetentionOptions } from '../../src/policy/index.js'
import { historyOf, min, paths, rec, sequence } from './support/retention-traces.js'

describe('retention', () => {
  it('with no rule configured, keeps everything', () => {
    const { keep, remove } = retain({}, min, [rec(0, 3), rec(1, 2)], rec(2, 1))
    expect(paths(keep)).toEqual(['c0.keras', 'c1.keras', 'c2.keras'])
    expect(remove).toEqual([])
  })
  it('saveTopK keeps the k best plus the newest; -1 keeps all; 0 keeps only best and newest', () => {
    const existing = [rec(0, 0.5), rec(1, 0.2), rec(2, 0.9), rec(3, 0.3)]
    expect(paths(retain({ saveTopK: 2 }, min, existing, rec(4, 0.8)).keep)).toEqual(['c1.keras', 'c3.keras', 'c4.keras'])
    expect(paths(retain({ saveTopK: -1 }, min, existing, rec(4, 0.8)).keep)).toHaveLength(5)
    expect(paths(retain({ saveTopK: 0 }, min, existing, rec(4, 0.8)).keep)).toEqual(['c1.keras', 'c4.keras'])
    expect(paths(retain({ saveTopK: 2 }, { monitor: 'val_loss', mode: 'max' }, existing, rec(4, 0.1)).keep)).toEqual([
      'c0.keras',
      'c2.keras',
      'c4.keras',
    ])
  })
  it('NaN and missing scores rank worst in both modes (Lightning)', () => {
    const existing = [rec(0, NaN), rec(1, null), rec(2, 5)]
    for (const mode of ['min', 'max'] as const)
      expect(paths(retain({ saveTopK: 1 }, { monitor: 'val_loss', mode }, existing, rec(3, NaN)).keep)).toEqual(['c2.keras', 'c3.keras'])
    expect(rankValue(min, rec(1, null))).toBeNaN()
  })
  it("a tie with the worst kept is no improvement: the older stays (Lightning's strict comparison)", () => {
    expect(paths(retain({ saveTopK: 1 }, min, [rec(0, 1), rec(1, 1)], rec(2, 2)).keep)).toEqual(['c0.keras', 'c2.keras'])
  })
  it('maxToKeep keeps the newest n (plus the best)', () => {
    const existing = [rec(0, 0.1), rec(1, 0.5), rec(2, 0.6), rec(3, 0.7)]
    const { keep, remove } = retain({ maxToKeep: 2 }, min, existing, rec(4, 0.8))
    expect(paths(keep)).toEqual(['c0.keras', 'c3.keras', 'c4.keras'])
    expect(paths(remove)).toEqual(['c1.keras', 'c2.keras'])
  })
  it('keepPeriod keeps 1-based epochs that are multiples of n', () => {
    const existing = [0, 1, 2, 3, 4, 5].map((i) => rec(i, 1 + i))
    const { keep } = retain({ keepPeriod: 3, maxToKeep: 1 }, min, existing, rec(6, 9))
    expect(paths(keep)).toEqual(['c0.keras', 'c2.keras', 'c5.keras', 'c6.keras'])
  })
  it("keepTimeInterval keeps one per interval, from the records' times", () => {
    const times = [0, 400, 900, 1000, 1500, 2100, 2200]
    const records = times.map((t, i) => rec(i, 10 - i, { time: t }))
    const steps = sequence({ keepTimeInterval: 1000 }, { monitor: 'val_loss', mode: 'max' }, records)
    // kept by time: 0, 1000, 2100 (first, then >= 1000 ms after the last kept); plus best (c0, max mode) and newest
    expect(paths(steps.at(-1)!.kept)).toEqual(['c0.keras', 'c3.keras', 'c5.keras', 'c6.keras'])
  })
  it('rules combine by union: a checkpoint survives if any rule keeps it', () => {
    const existing = [rec(0, 0.1), rec(1, 0.9), rec(2, 0.2), rec(3, 0.95)]
    const { keep } = retain({ saveTopK: 2, maxToKeep: 1 }, min, existing, rec(4, 0.99))
    expect(paths(keep)).toEqual(['c0.keras', 'c2.keras', 'c4.keras'])
  })
  it('a record with the added path is replaced (overwritten), never removed', () => {
    const added = rec(5, 0.4, { path: 'best.keras' })
    const { keep, remove } = retain({ maxToKeep: 1 }, min, [rec(0, 0.9, { path: 'best.keras' }), rec(1, 0.5)], added)
    expect(keep).toEqual([added])
    expect(paths(remove)).toEqual(['c1.keras'])
  })

  const score = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
    { weight: 1, arbitrary: fc.constant(NaN) },
    { weight: 1, arbitrary: fc.constant(null) },
  )
  const history = historyOf(score)
  const oneRule = fc.oneof(
    fc.integer({ min: -1, max: 5 }).map((k): RetentionOptions => ({ saveTopK: k })),
    fc.integer({ min: 1, max: 5 }).map((n): RetentionOptions => ({ maxToKeep: n })),
    fc.integer({ min: 1, max: 4 }).map((n): RetentionOptions => ({ keepPeriod: n })),
    fc.integer({ min: 1, max: 5000 }).map((n): RetentionOptions => ({ keepTimeInterval: n })),
  )
  const ranking = fc.constantFrom<Ranking>(min, { monitor: 'val_loss', mode: 'max' })
  const bestPath = (r: Ranking, rs: ReadonlyArray<CheckpointRecord>): string | null => {
    let best: CheckpointRecord | null = null
    for (const x of rs) {
      const v = rankValue(r, x)
      if (Number.isNaN(v)) continue
      if (best === null || (r.mode === 'min' ? v < rankValue(r, best) : v > rankValue(r, best))) best = x
    }
    return best?.path ?? null
  }

  it('property: never drops the newest or the best, never deletes the added one, keep ∪ remove = all, disjoint', () => {
    fc.assert(
      fc.property(
        fc.oneof(oneRule, fc.record({ saveTopK: fc.integer({ min: 0, max: 3 }), maxToKeep: fc.integer({ min: 1, max: 3 }) })),
        ranking,
        history,
        (o, r, records) => {
          for (const { kept, removed, added, before } of sequence(o, r, records)) {
            const all = [...before, added]
            if (kept.at(-1) !== added || removed.includes(added)) return false
            const best = bestPath(r, all)
            if (best !== null && !paths(kept).includes(best)) return false
            if (kept.length + removed.length !== all.length || kept.some((k) => removed.includes(k))) return false
          }
          return true
        },
      ),
      { numRuns: 300 },
    )
  })

  it('property: with one rule set, keeps no more than configured, plus only the protected best and newest', () => {
    fc.assert(
      fc.property(oneRule, ranking, history, (o, r, records) => {
        for (const { kept, before, added } of sequence(o, r, records)) {
          const all = [...before, added]
          const protectedPaths = new Set([added.path, bestPath(r, all)].filter((p): p is string => p !== null))
          const extra = kept.filter((k) => protectedPaths.has(k.path)).length
          if (o.saveTopK !== undefined && o.saveTopK >= 0 && kept.length > o.saveTopK + extra) return false
          if (o.maxToKeep !== undefined && kept.length > o.maxToKeep + extra) return false
          if (o.keepPeriod !== undefined && kept.some((k) => (k.epoch + 1) % o.keepPeriod! !== 0 && !protectedPaths.has(k.path)))
            return false
          if (o.keepTimeInterval !== undefined) {
            const byTime = kept.filter((k) => !protectedPaths.has(k.path))
            for (let i = 1; i < byTime.length; i++) if (byTime[i]!.time - byTime[i - 1]!.time < o.keepTimeInterval) return false
          }
        }
        return true
      }),
      { numRuns: 300 },
    )
  })

  it('property: incremental retention deletes nothing that retention over the full history at once would keep', () => {
    fc.assert(
      fc.property(
        fc.oneof(oneRule, fc.record({ saveTopK: fc.integer({ min: 0, max: 3 }), keepTimeInterval: fc.integer({ min: 1, max: 3000 }) })),
        ranking,
        history,
        (o, r, records) => {
          const removedEver = new Set(sequence(o, r, records).flatMap((s) => paths(s.removed)))
          const atOnce = retain(o, r, records.slice(0, -1), records.at(-1)!)
          return paths(atOnce.keep).every((p) => !removedEver.has(p))
        },
      ),
      { numRuns: 300 },
    )
  })
})
