/**
 * saveTopK breaks ties as Lightning 2.6.6 does: a checkpoint that only ties the worst kept one is not kept (its
 * comparison is strict), and the oldest of the tied worst is evicted first. NaN counts as the worst value.
 */
import { describe, expect, it } from 'vitest'
import type { RetentionOptions } from '../../src/policy/index.js'
import { epochs, max, min, rec, sequence } from './support/retention-traces.js'

const kept = (o: RetentionOptions, values: ReadonlyArray<number>, ranking = min) =>
  epochs(
    sequence(
      o,
      ranking,
      values.map((v, i) => rec(i, v)),
    ).at(-1)!.kept,
  )
const exact = { keepLatest: false, keepBest: false } as const

describe('saveTopK ties, as Lightning', () => {
  it("the issue's example: save_top_k=2, min, 0.25, 0.25, 0 keeps epochs 1 and 2 (the older 0.25 goes first)", () => {
    expect(kept({ saveTopK: 2, ...exact }, [0.25, 0.25, 0])).toEqual([1, 2])
    expect(kept({ saveTopK: 2 }, [0.25, 0.25, 0])).toEqual([1, 2])
  })
  it('a checkpoint that only ties the worst kept one is not kept', () => {
    expect(kept({ saveTopK: 1, ...exact }, [1, 1])).toEqual([0])
    expect(kept({ saveTopK: 2, ...exact }, [0.5, 0.2, 0.5])).toEqual([0, 1])
    expect(kept({ saveTopK: 1, ...exact }, [3, 3], max)).toEqual([0])
    // with the defaults the newest stays as the newest, and goes once it is not
    expect(kept({ saveTopK: 1 }, [1, 1])).toEqual([0, 1])
    expect(kept({ saveTopK: 1 }, [1, 1, 2])).toEqual([0, 2])
  })
  it('the oldest of the tied worst is evicted first', () => {
    expect(kept({ saveTopK: 3, ...exact }, [0.5, 0.5, 0.5, 0.1])).toEqual([1, 2, 3])
    expect(kept({ saveTopK: 3, ...exact }, [0.5, 0.5, 0.5, 0.1, 0.2])).toEqual([2, 3, 4])
    expect(kept({ saveTopK: 2, ...exact }, [2, 2, 3], max)).toEqual([1, 2])
  })
  it('NaN ranks worst: it enters only while there is room, ties the worst infinity, and goes first among them', () => {
    expect(kept({ saveTopK: 1, ...exact }, [NaN, 5])).toEqual([1])
    expect(kept({ saveTopK: 1, ...exact }, [5, NaN])).toEqual([0])
    expect(kept({ saveTopK: 1, ...exact }, [NaN, Infinity])).toEqual([0])
    expect(kept({ saveTopK: 1, ...exact }, [NaN, -Infinity], max)).toEqual([0])
    expect(kept({ saveTopK: 2, ...exact }, [Infinity, NaN, 1])).toEqual([1, 2])
    expect(kept({ saveTopK: 2, ...exact }, [NaN, Infinity, 1])).toEqual([1, 2])
  })
})
