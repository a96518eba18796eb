/** Laws of width, fill and alignment: length ≥ width, padding made only of the fill, content where the alignment puts it. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate } from '../../src/format/index.js'
import { floatArb, intArb } from './support/arbitraries.js'

const FILL = fc.constantFrom(' ', '*', '0', 'x', '<', '=', '😀', 'é', '.', '_')
const cps = (s: string): string[] => Array.from(s)

const render = (template: string, values: Record<string, bigint | number | string>): string => {
  const r = formatTemplate(template, values)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('width and fill', () => {
  it('strings: exact length max(width, len), fill-only padding, placed by < > ^', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        FILL,
        fc.constantFrom('<', '>', '^'),
        fc.integer({ min: 0, max: 30 }),
        (s, fill, align, width) => {
          const out = cps(render(`{s:${fill}${align}${width}}`, { s }))
          const len = cps(s).length
          const total = Math.max(width, len)
          expect(out.length).toBe(total)
          const pad = total - len
          const left = align === '<' ? 0 : align === '>' ? pad : Math.floor(pad / 2)
          expect(out.slice(left, left + len).join('')).toBe(s)
          expect([...out.slice(0, left), ...out.slice(left + len)].every((c) => c === fill)).toBe(true)
        },
      ),
    )
  })

  it('numbers: length ≥ width and padding is only the fill; = puts it between sign and digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          intArb.filter((n) => n > -(10n ** 60n) && n < 10n ** 60n),
          floatArb,
        ),
        FILL,
        fc.constantFrom('<', '>', '^', '='),
        fc.constantFrom('', '+', ' '),
        fc.integer({ min: 0, max: 40 }),
        (x, fill, align, sign, width) => {
          const plain = render(`{x:${sign}}`, { x })
          const out = cps(render(`{x:${fill}${align}${sign}${width}}`, { x }))
          const len = cps(plain).length
          expect(out.length).toBe(Math.max(width, len))
          const pad = out.length - len
          if (align === '=') {
            const signed = /^[-+ ]/.test(plain) ? 1 : 0
            expect(out.slice(0, signed).join('')).toBe(plain.slice(0, signed))
            expect(out.slice(signed, signed + pad).every((c) => c === fill)).toBe(true)
            expect(out.slice(signed + pad).join('')).toBe(plain.slice(signed))
          } else {
            const left = align === '<' ? 0 : align === '>' ? pad : Math.floor(pad / 2)
            expect(out.slice(left, left + len).join('')).toBe(plain)
            expect([...out.slice(0, left), ...out.slice(left + len)].every((c) => c === fill)).toBe(true)
          }
        },
      ),
    )
  })

  it('0-padding of ints keeps the value: parsing the padded digits gives the number back', () => {
    fc.assert(
      fc.property(
        intArb.filter((n) => n > -(10n ** 60n) && n < 10n ** 60n),
        fc.integer({ min: 0, max: 80 }),
        fc.constantFrom('', ',', '_'),
        (n, width, grouping) => {
          const out = render(`{n:0${width}${grouping}d}`, { n })
          expect(out.length).toBeGreaterThanOrEqual(width)
          expect(BigInt(out.replace(/[,_]/g, ''))).toBe(n)
        },
      ),
    )
  })

  it('grouping puts a separator every 3 digits (every 4 for b/o/x/X with _)', () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 40n),
        fc.constantFrom(['d', ',', 3, 10], ['d', '_', 3, 10], ['x', '_', 4, 16], ['b', '_', 4, 2], ['o', '_', 4, 8]),
        (n, [type, sep, size, base]) => {
          const out = render(`{n:${sep}${type}}`, { n })
          const groups = out.split(sep as string)
          expect(groups.slice(1).every((g) => g.length === size)).toBe(true)
          expect(groups[0]!.length).toBeGreaterThanOrEqual(1)
          expect(groups[0]!.length).toBeLessThanOrEqual(size)
          expect(groups.join('')).toBe(n.toString(base as number))
        },
      ),
    )
  })
})
