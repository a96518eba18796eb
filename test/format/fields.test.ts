/** Laws tying parseTemplate's `fields` to render: exactly the keys whose absence fails, extra keys ignored. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate, parseTemplate, type TemplateValues } from '../../src/format/index.js'
import { structuredCaseArb } from './support/arbitraries.js'

/** Generated templates that parse and render with the generated values. */
const renderable = structuredCaseArb.filter((c) => E.isRight(formatTemplate(c.template, c.values)))

const without = (values: TemplateValues, key: string): TemplateValues =>
  Object.fromEntries(Object.entries(values).filter(([k]) => k !== key))

describe('fields and render agree', () => {
  it('fields is exactly the set of keys whose absence makes render fail', () => {
    fc.assert(
      fc.property(renderable, ({ template, values }) => {
        const t = parseTemplate(template)
        if (E.isLeft(t)) throw new Error(t.left.message)
        const fields = t.right.fields
        expect(new Set(fields).size).toBe(fields.length)
        for (const key of Object.keys(values)) {
          const r = t.right.render(without(values, key))
          if (fields.includes(key)) {
            expect(E.isLeft(r) && r.left.field).toBe(key)
            expect(E.isLeft(r) && r.left.message).toContain(`template needs ${JSON.stringify(key)}`)
          } else expect(r).toEqual(t.right.render(values))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('extra keys never change the output', () => {
    fc.assert(
      fc.property(
        renderable,
        fc.dictionary(
          fc.string({ maxLength: 6 }).map((k) => `extra_${k}`),
          fc.string(),
        ),
        ({ template, values }, extra) => {
          expect(formatTemplate(template, { ...extra, ...values })).toEqual(formatTemplate(template, values))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('fields are in first-appearance order, nested names included, each once', () => {
    const t = parseTemplate('{b}{a:{w}.{p}f}{b!r:{fill}<{w}}{c}')
    expect(E.isRight(t) && t.right.fields).toEqual(['b', 'a', 'w', 'p', 'fill', 'c'])
  })

  it('a compiled template renders like formatTemplate, repeatedly', () => {
    fc.assert(
      fc.property(structuredCaseArb, ({ template, values }) => {
        const t = parseTemplate(template)
        const once = formatTemplate(template, values)
        if (E.isLeft(t)) {
          expect(E.isLeft(once)).toBe(true)
          return
        }
        expect(t.right.source).toBe(template)
        expect(t.right.render(values)).toEqual(once)
        expect(t.right.render(values)).toEqual(once)
      }),
      { numRuns: 300 },
    )
  })

  it('only own properties are values: inherited names are missing keys', () => {
    const r = formatTemplate('{constructor}{toString}', {})
    expect(E.isLeft(r) && r.left.message).toBe('template needs "constructor" but the values have: (none)')
  })
})
