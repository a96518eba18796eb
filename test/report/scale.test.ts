import { describe, expect, it } from 'vitest'
import { niceTicks, tickLabel } from '../../src/report/scale.js'

const labels = (lo: number, hi: number, count = 6, integer = false) => {
  const t = niceTicks(lo, hi, count, integer)
  return t.values.map((v) => tickLabel(v, t.step))
}

describe('the timeline axes: nice ticks with readable labels at any magnitude', () => {
  it('steps of 1, 2 or 5 times a power of ten, ending on whole steps beyond the values', () => {
    expect(labels(0.0752, 0.0966)).toEqual(['0.075', '0.080', '0.085', '0.090', '0.095', '0.100'])
    expect(labels(0.1, 0.7)).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7'])
    expect(labels(1, 12, 9, true)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'])
    expect(labels(3, 9000, 8, true)).toEqual(['0', '1000', '2000', '3000', '4000', '5000', '6000', '7000', '8000', '9000'])
  })

  it('no float noise (0.30000000000000004) and exponents only for very small or large values', () => {
    for (const [lo, hi] of [
      [0.1, 0.3],
      [1e-7, 3e-7],
      [-2.5, 7.25],
      [1e12, 5e12],
    ] as const)
      for (const l of labels(lo, hi)) expect(l).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/)
    expect(labels(1e-7, 3e-7)).toEqual(['1.0e-7', '1.5e-7', '2.0e-7', '2.5e-7', '3.0e-7'])
    expect(labels(1e12, 2e12)).toEqual(['1.0e+12', '1.2e+12', '1.4e+12', '1.6e+12', '1.8e+12', '2.0e+12'])
    expect(labels(0.1, 0.3)).toEqual(['0.10', '0.15', '0.20', '0.25', '0.30'])
  })

  it('one value, or none, still gets an axis around it', () => {
    expect(labels(0.5, 0.5)).toEqual(['0.44', '0.46', '0.48', '0.50', '0.52', '0.54', '0.56'])
    expect(labels(0, 0)).toEqual(['-1.0', '-0.5', '0', '0.5', '1.0'])
    expect(labels(7, 7, 10, true)).toEqual(['6', '7', '8'])
  })
})
