import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rankOrder, type CheckpointRecord, type Ranking } from '../../src/policy/index.js'
import { topRanked } from '../../src/policy/ranking.js'

const record = (i: number, value: number | null): CheckpointRecord => ({
  path: `c${i}`,
  epoch: i,
  step: i,
  metrics: value === null ? {} : { loss: value },
  time: i,
  score: value,
})

describe('topRanked: the selection retention uses instead of a sort', () => {
  it('gives the first k of rankOrder, in order: ties older first, NaN and missing values last', () => {
    fc.assert(
      fc.property(
        // Few distinct values, so that ties are common; NaN and missing values too.
        fc.array(fc.oneof(fc.constantFrom(0.1, 0.2, 0.3, NaN, -Infinity, Infinity), fc.constant(null)), { maxLength: 60 }),
        fc.constantFrom<Ranking['mode']>('min', 'max'),
        fc.integer({ min: 0, max: 70 }),
        (values, mode, k) => {
          const items = values.map((v, i) => record(i, v))
          const ranking: Ranking = { monitor: 'loss', mode }
          expect(topRanked(ranking, items, (r) => r, k)).toEqual(rankOrder(ranking, items, (r) => r).slice(0, k))
        },
      ),
      { numRuns: 500 },
    )
  })
})
