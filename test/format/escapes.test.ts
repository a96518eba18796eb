/** Law: doubling every brace turns any text into a template that renders that text, with no fields. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate, parseTemplate } from '../../src/format/index.js'
import { valueArb } from './support/arbitraries.js'

const escape = (s: string): string => s.replace(/[{}]/g, (b) => b + b)

describe('brace escapes', () => {
  it('escape(text) renders to text, whatever the values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.dictionary(fc.string({ maxLength: 4 }), valueArb, { maxKeys: 3 }), (text, values) => {
        expect(formatTemplate(escape(text), values)).toEqual(E.right(text))
      }),
      { numRuns: 500 },
    )
  })

  it('an escaped template needs no fields', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', 'a', ':', '!', ' ') }), (text) => {
        const t = parseTemplate(escape(text))
        expect(E.isRight(t) && t.right.fields).toEqual([])
      }),
    )
  })

  it('escapes compose with fields: literal text around a field is kept verbatim', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (before, after, s) => {
        expect(formatTemplate(`${escape(before)}{v}${escape(after)}`, { v: s })).toEqual(E.right(before + s + after))
      }),
    )
  })

  it('a lone brace is an error naming no field', () => {
    for (const t of ['{', '}', 'a{', 'a}b', '{{}', '}}}']) {
      const r = formatTemplate(t, {})
      expect(E.isLeft(r) && r.left.field).toBe(null)
      expect(E.isLeft(r) && r.left.message).toMatch(/single '[{}]'/)
    }
  })
})
