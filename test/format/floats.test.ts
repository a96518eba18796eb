/** Float formatting laws: repr round-trips, fixed/exponent digits are the exactly rounded decimal, ties go to even. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate } from '../../src/format/index.js'

const render = (template: string, x: number | bigint): string => {
  const r = formatTemplate(template, { x })
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

/** Exact value of a finite double as a fraction num/den (den a power of two). */
const exact = (x: number): { num: bigint; den: bigint } => {
  const buf = new DataView(new ArrayBuffer(8))
  buf.setFloat64(0, x)
  const bits = buf.getBigUint64(0)
  const sign = bits >> 63n ? -1n : 1n
  const biased = Number((bits >> 52n) & 0x7ffn)
  const frac = bits & ((1n << 52n) - 1n)
  const m = biased === 0 ? frac : frac | (1n << 52n)
  const e = biased === 0 ? -1074 : biased - 1075
  return e >= 0 ? { num: sign * (m << BigInt(e)), den: 1n } : { num: sign * m, den: 1n << BigInt(-e) }
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true })

describe('float formatting', () => {
  it('repr ({x}) parses back to the same double, and always shows a point or an exponent', () => {
    fc.assert(
      fc.property(finite, (x) => {
        const s = render('{x}', x)
        expect(Object.is(Number(s), x)).toBe(true)
        expect(s).toMatch(/[.e]/)
        expect(render('{x!r}', x)).toBe(s)
      }),
      { numRuns: 2000 },
    )
  })

  it('repr uses an exponent exactly when the decimal exponent is < -4 or >= 16', () => {
    fc.assert(
      fc.property(
        finite.filter((x) => x !== 0),
        (x) => {
          const s = render('{x}', x)
          const exp = Math.floor(Math.log10(Math.abs(Number(s))))
          if (Math.abs(Math.abs(x) - 10 ** exp) > 0) expect(s.includes('e')).toBe(exp < -4 || exp >= 16)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('.Nf is the exactly rounded value: |printed - x| ≤ half a unit in the last place, ties to an even digit', () => {
    fc.assert(
      fc.property(
        finite.filter((x) => Math.abs(x) < 1e30),
        fc.integer({ min: 0, max: 40 }),
        (x, p) => {
          const s = render(`{x:.${p}f}`, x)
          const { num, den } = exact(x)
          const printed = BigInt(s.replace('.', '')) // printed × 10^-p
          const scale = 10n ** BigInt(p)
          // |printed/10^p - num/den| * 2 * 10^p * den ≤ den * ... → compare 2|printed·den − num·10^p| ≤ den
          const diff2 = 2n * (printed * den - num * scale)
          const abs2 = diff2 < 0n ? -diff2 : diff2
          expect(abs2 <= den).toBe(true)
          if (abs2 === den) expect(Number(printed % 2n)).toBe(0)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('exact ties round half to even, unlike JS toFixed', () => {
    expect(render('{x:.0f}', 0.5)).toBe('0')
    expect(render('{x:.0f}', 1.5)).toBe('2')
    expect(render('{x:.0f}', 2.5)).toBe('2')
    expect(render('{x:.2f}', 0.125)).toBe('0.12')
    expect(render('{x:.2f}', 0.375)).toBe('0.38')
    expect(render('{x:.0e}', 25)).toBe('2e+01')
    expect(render('{x:.1g}', 0.25)).toBe('0.2')
    expect(render('{x:.0%}', 0.125)).toBe('12%')
  })

  it('beyond JS limits: 1100 places, 800 significant digits', () => {
    const tiny = render('{x:.1074f}', 5e-324)
    expect(tiny.length).toBe(1076)
    expect(tiny.slice(0, 2 + 323 + 12)).toBe('0.' + '0'.repeat(323) + '494065645841')
    expect(tiny.endsWith('65625')).toBe(true)
    expect(render('{x:.1100f}', 0.1).slice(0, 60)).toBe('0.1000000000000000055511151231257827021181583404541015625000')
    expect(render('{x:.60e}', 1 / 3)).toBe('3.333333333333333148296162562473909929394721984863281250000000e-01')
    expect(render('{x:.120g}', 2 ** 70)).toBe('1180591620717411303424')
  })

  it('special values and signed zero', () => {
    expect(['{x}', '{x:f}', '{x:e}', '{x:g}', '{x:%}'].map((t) => render(t, -0))).toEqual([
      '-0.0',
      '-0.000000',
      '-0.000000e+00',
      '-0',
      '-0.000000%',
    ])
    expect(render('{x:z.1f}', -0.04)).toBe('0.0')
    expect(render('{x:z.1f}', -0.05)).toBe('-0.1')
    expect([NaN, Infinity, -Infinity].map((x) => render('{x}|{x:F}|{x:+08.2f}', x))).toEqual([
      'nan|NAN|+0000nan',
      'inf|INF|+0000inf',
      '-inf|-INF|-0000inf',
    ])
  })

  it('Python repr examples', () => {
    expect([1e-5, 1e16, 0.1 + 0.2, -0, NaN, Infinity, 1, 1e15, 123456789.125, 5e-324].map((x) => render('{x}', x))).toEqual([
      '1e-05',
      '1e+16',
      '0.30000000000000004',
      '-0.0',
      'nan',
      'inf',
      '1.0',
      '1000000000000000.0',
      '123456789.125',
      '5e-324',
    ])
  })

  it('no type: like g with at least one digit after the point', () => {
    expect(render('{x:.3}', 1.0)).toBe('1.0')
    expect(render('{x:.3}', 100.0)).toBe('1e+02')
    expect(render('{x:10}', 1.5)).toBe('       1.5')
    expect(render('{x:,}', 1234567.5)).toBe('1,234,567.5')
  })
})
