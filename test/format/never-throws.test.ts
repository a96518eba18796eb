/** Law: parseTemplate, formatTemplate and render never throw, for any template and any values. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate, parseTemplate, type TemplateValues } from '../../src/format/index.js'
import { garbageCaseArb, valueArb } from './support/arbitraries.js'

const anyValue = fc.oneof(valueArb, fc.anything())

describe('total functions', () => {
  it('syntax-heavy random templates give an Either, never an exception', () => {
    fc.assert(
      fc.property(garbageCaseArb, fc.dictionary(fc.constantFrom('a', 'x', 'b'), anyValue), ({ template, values }, extra) => {
        const r = formatTemplate(template, { ...values, ...extra } as TemplateValues)
        expect(E.isLeft(r) || typeof r.right === 'string').toBe(true)
        const t = parseTemplate(template)
        if (E.isRight(t)) expect(t.right.render(values)).toEqual(formatTemplate(template, values))
      }),
      { numRuns: 2000 },
    )
  })

  it('absurd widths and precisions are a Left, not a crash', () => {
    const huge = formatTemplate('{x:999999999999}', { x: 1n })
    expect(E.isLeft(huge) && huge.left.message).toContain("width 999999999999 is over ckpt's limit of 1000000 characters")
    expect(E.isLeft(formatTemplate('{x:.99999999999f}', { x: 1.5 }))).toBe(true)
    expect(E.isLeft(formatTemplate('{x:99999999999999999999}', { x: 1n }))).toBe(true)
  })
})
