/** The JS → Python value mapping: bigint is int, number is float, string is str, boolean is bool (an int). */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate, type TemplateValues } from '../../src/format/index.js'

const render = (template: string, values: TemplateValues): string => {
  const r = formatTemplate(template, values)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('value types', () => {
  it('bigint is an int of any size: {n} is its decimal text, x/o/b its digits in base', () => {
    fc.assert(
      fc.property(fc.bigInt(-(2n ** 4000n), 2n ** 4000n), (n) => {
        expect(render('{n}', { n })).toBe(n.toString())
        expect(render('{n:x}|{n:o}|{n:b}', { n })).toBe([16, 8, 2].map((b) => n.toString(b)).join('|'))
        expect(render('{n:#X}', { n })).toBe((n < 0n ? '-0X' : '0X') + (n < 0n ? -n : n).toString(16).toUpperCase())
      }),
      { numRuns: 300 },
    )
  })

  it('booleans are bools: str() with no spec, ints with one', () => {
    expect(render('{b}|{b:}|{b!s}|{b!r}', { b: true })).toBe('True|True|True|True')
    expect(render('{b:d}|{b:5}|{b:.2f}|{b:x}|{b!s:5}', { b: true })).toBe('1|    1|1.00|1|True ')
    expect(render('{b:d}|{b:<3}|{b:e}', { b: false })).toBe('0|0  |0.000000e+00')
  })

  it('bigints under float codes convert to float, correctly rounded', () => {
    expect(render('{n:.3e}', { n: 10n ** 300n })).toBe('1.000e+300')
    expect(render('{n:.1f}', { n: 2n ** 53n + 1n })).toBe('9007199254740992.0')
    expect(render('{n:%}', { n: 1n })).toBe('100.000000%')
    expect(render('{n:g}', { n: 2n ** 1024n - 2n ** 970n - 1n })).toBe('1.79769e+308')
  })

  it('strings: repr and ascii quote and escape like Python', () => {
    expect(render('{s!r}', { s: "it's" })).toBe(`"it's"`)
    expect(render('{s!r}', { s: `it's "q"` })).toBe(`'it\\'s "q"'`)
    expect(render('{s!r}', { s: 'tab\there\n\x00\x7f\\' })).toBe(`'tab\\there\\n\\x00\\x7f\\\\'`)
    expect(render('{s!r}|{s!a}', { s: 'é😀\u200b' })).toBe(`'é😀\\u200b'|'\\xe9\\U0001f600\\u200b'`)
    expect(render('{s!r}', { s: '\ud800' })).toBe(`'\\ud800'`)
  })

  it('strings: precision truncates and width pads by code points', () => {
    expect(render('{s:.2}|{s:5}|{s:>5.1}', { s: '😀é😀' })).toBe('😀é|😀é😀  |    😀')
    expect(render('{s:05}', { s: 'ab' })).toBe('ab000')
    expect(render('{s:\u0663}', { s: 'a' })).toBe('a  ')
  })

  it("'c' turns an int into its character", () => {
    expect(render('{n:c}|{m:c}|{n:*^5c}|{n:05c}', { n: 65n, m: 0x1f600n })).toBe('A|😀|**A**|0000A')
  })

  it('the Keras filename example', () => {
    expect(render('epoch_{epoch:02d}-val_loss_{val_loss:.2f}.weights.h5', { epoch: 7n, val_loss: 0.4567 })).toBe(
      'epoch_07-val_loss_0.46.weights.h5',
    )
    expect(render('model.{epoch:03d}-{val_accuracy:.4f}.keras', { epoch: 12n, val_accuracy: 0.91234 })).toBe('model.012-0.9123.keras')
  })
})
