/** Each way Python's str.format raises gives a Left whose message names the field and what was expected. */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatTemplate, parseTemplate, type TemplateValues } from '../../src/format/index.js'

const leftOf = (template: string, values: TemplateValues) => {
  const r = formatTemplate(template, values)
  if (E.isRight(r)) throw new Error(`expected an error for ${template}, got ${JSON.stringify(r.right)}`)
  expect(r.left._tag).toBe('TemplateError')
  return r.left
}

describe('template errors', () => {
  it('unknown key lists the keys that are there', () => {
    expect(leftOf('{val_loss:.2f}', { epoch: 1n, loss: 0.5 })).toEqual({
      _tag: 'TemplateError',
      field: 'val_loss',
      message: 'template needs "val_loss" but the values have: epoch, loss',
    })
  })

  it("'d' on a float hints at bigint", () => {
    expect(leftOf('{epoch:02d}', { epoch: 3.5 })).toMatchObject({
      field: 'epoch',
      message: `field "epoch": format code 'd' needs an integer, got the float 3.5 (pass integers as bigint, e.g. 3n)`,
    })
    expect(leftOf('{epoch:x}', { epoch: 12 }).message).toContain('e.g. 12n')
  })

  it('positional fields', () => {
    for (const t of ['{}', '{0}', '{:5}', '{!r}', '{\u0663}']) {
      const e = leftOf(t, { a: 1n })
      expect(e.message).toMatch(/positional fields \(\{\} or \{0\}\) are not supported/)
    }
  })

  it('attribute and index access', () => {
    expect(leftOf('{a.real}', { a: 1n })).toMatchObject({ field: 'a.real', message: expect.stringContaining('attribute and index access') })
    expect(leftOf('{s[0]}', { s: 'abc' })).toMatchObject({
      field: 's[0]',
      message: expect.stringContaining('use a plain name such as {s}'),
    })
  })

  it('unknown conversion', () => {
    expect(leftOf('{a!x}', { a: 1n })).toMatchObject({ field: 'a', message: `field "a": unknown conversion '!x'; expected !r, !s or !a` })
  })

  it('invalid specs name the field and quote the spec', () => {
    expect(leftOf('{a:abc}', { a: 1n })).toMatchObject({ field: 'a', message: expect.stringContaining('invalid format spec "abc"') })
    expect(leftOf('{a:.f}', { a: 1.5 }).message).toContain("'.' must be followed by a precision")
    expect(leftOf('{a:,_d}', { a: 1n }).message).toContain("cannot specify both ',' and '_'")
    expect(leftOf('{a:,}', { a: 'str' })).toMatchObject({ field: 'a', message: expect.stringContaining("cannot specify ',' with 's'") })
    expect(leftOf('{a:,c}', { a: 65n }).message).toContain("cannot specify ',' with 'c'")
  })

  it('format codes that do not fit the value type', () => {
    expect(leftOf('{a:s}', { a: 1.5 }).message).toContain(`format code 's' needs a string, got the float 1.5`)
    expect(leftOf('{a:f}', { a: 'x' }).message).toContain(`format code 'f' needs a number, got the str "x"`)
    expect(leftOf('{a:q}', { a: 1n }).message).toContain(`format code 'q' is not valid for an int`)
    expect(leftOf('{a:s}', { a: true }).message).toContain(`got the bool true`)
  })

  it('flags that do not fit the value type', () => {
    expect(leftOf('{a:=5}', { a: 'x' }).message).toContain(`'=' alignment is only allowed for numbers`)
    expect(leftOf('{a:+}', { a: 'x' }).message).toContain(`a sign ('+') is not allowed for a str`)
    expect(leftOf('{a:#}', { a: 'x' }).message).toContain(`'#' (alternate form) is not allowed for a str`)
    expect(leftOf('{a:z}', { a: 'x' }).message).toContain(`'z' (negative zero coercion) is only allowed for floats`)
    expect(leftOf('{a:zd}', { a: 1n }).message).toContain(`'z' (negative zero coercion) is only allowed for floats`)
    expect(leftOf('{a:.2d}', { a: 1n }).message).toContain(`precision is not allowed with integer format code 'd'`)
    expect(leftOf('{a:+c}', { a: 65n }).message).toContain(`a sign is not allowed with format code 'c'`)
    expect(leftOf('{a:#c}', { a: 65n }).message).toContain(`'#' is not allowed with format code 'c'`)
  })

  it("'c' out of range", () => {
    expect(leftOf('{a:c}', { a: 0x110000n })).toMatchObject({
      field: 'a',
      message: expect.stringContaining('range(0x110000), got the int 1114112n'),
    })
    expect(leftOf('{a:c}', { a: -1n }).message).toContain('range(0x110000)')
  })

  it('ints too large for a float or for str()', () => {
    expect(leftOf('{a:.2f}', { a: 2n ** 1024n }).message).toContain('too large for a float')
    expect(leftOf('{a}', { a: 10n ** 4300n }).message).toContain('more than 4300 decimal digits')
    expect(formatTemplate('{a:x}', { a: 10n ** 4300n })._tag).toBe('Right')
  })

  it('template syntax errors have no field and say where', () => {
    expect(leftOf('ab}', {})).toMatchObject({ field: null, message: expect.stringMatching(/single '}'.*position 2/) })
    expect(leftOf('ab{', {})).toMatchObject({ field: null, message: expect.stringMatching(/single '\{'.*position 2/) })
    expect(leftOf('{a', { a: 1n }).message).toContain("expected '}' before the end of the template")
    expect(leftOf('{a{b}}', { a: 1n }).message).toContain("unexpected '{' in field name")
    expect(leftOf('{a:{b}', { a: 1n }).message).toContain("unmatched '{' in format spec")
    expect(leftOf('{a!r x}', { a: 1n }).message).toContain("expected ':' or '}' after the conversion '!r'")
    expect(leftOf('{a!', { a: 1n }).message).toContain('end of template while looking for a conversion')
  })

  it('fields nested too deeply', () => {
    expect(leftOf('{a:{b:{c}}}', { a: 1n, b: 1n, c: 1n })).toMatchObject({
      field: 'b',
      message: expect.stringContaining('Python allows one level of nesting'),
    })
    expect(leftOf('{a:{b:{{}}}}', { a: 1n, b: 1n })).toMatchObject({
      field: 'b',
      message: expect.stringContaining('Python allows one level of nesting'),
    })
  })

  it('a nested spec that builds an invalid spec names the outer field', () => {
    expect(leftOf('{a:{w}}', { a: 1n, w: 'abc' })).toMatchObject({
      field: 'a',
      message: expect.stringContaining('invalid format spec "abc" (built from nested fields)'),
    })
  })

  it('values of other JS types are rejected, not thrown on', () => {
    const values = { a: undefined, b: null, c: {}, d: Symbol('x') } as unknown as TemplateValues
    for (const k of ['a', 'b', 'c', 'd']) {
      expect(leftOf(`{${k}}`, values).message).toContain('values must be bigint (int), number (float), string (str) or boolean (bool)')
      expect(leftOf(`{${k}:>5}`, values).field).toBe(k)
      expect(leftOf(`{${k}!r}`, values).field).toBe(k)
    }
    expect(E.isLeft(formatTemplate('{a}', null as unknown as TemplateValues))).toBe(true)
    expect(E.isLeft(parseTemplate(42 as unknown as string))).toBe(true)
  })
})
