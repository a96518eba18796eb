import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { formatTemplate } from '../../src/format/index.js'
import type { TemplateValues } from '../../src/format/index.js'

/** Renders, timing it: every case must answer in well under a second and without building the huge string. */
const timed = (template: string, values: TemplateValues) => {
  const started = Date.now()
  const r = formatTemplate(template, values)
  expect(Date.now() - started).toBeLessThan(1_000)
  return r
}

const refused: ReadonlyArray<[string, TemplateValues, string]> = [
  ['{val_loss:{w}f}', { val_loss: 0.5, w: 400_000_000n }, "width 400000000 is over ckpt's limit of 1000000 characters"],
  ['{val_loss:.{w}f}', { val_loss: 0.5, w: 400_000_000n }, "precision 400000000 is over ckpt's limit of 1000000 characters"],
  ['{val_loss:.{w}e}', { val_loss: 0.5, w: 1_000_001n }, "precision 1000001 is over ckpt's limit"],
  ['{name:{w}}', { name: 'a', w: 400_000_000n }, "width 400000000 is over ckpt's limit"],
  ['{epoch:{w}d}', { epoch: 1n, w: 400_000_000n }, "width 400000000 is over ckpt's limit"],
  ['{epoch:{w}c}', { epoch: 65n, w: 400_000_000n }, "width 400000000 is over ckpt's limit"],
  ['{a:.{w}f}{a:.{w}f}', { a: 1e300, w: 999_000n }, "the result is over ckpt's limit of 1000000 characters"],
]

for (const [template, values, message] of refused)
  it(`${template} with ${JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))} is a TemplateError, quickly`, () => {
    const r = timed(template, values)
    expect(E.isLeft(r) && r.left._tag).toBe('TemplateError')
    expect(E.isLeft(r) ? r.left.message : '').toContain(message)
  })

it('widths and precisions up to the limit still render, as CPython does', () => {
  const wide = timed('{v:{w}}', { v: 'a', w: 1_000_000n })
  expect(E.isRight(wide) && wide.right.length).toBe(1_000_000)
  const precise = timed('{v:.{w}f}', { v: 0.5, w: 1_000n })
  expect(E.isRight(precise) && precise.right).toBe(`0.5${'0'.repeat(999)}`)
  // a string's precision only cuts it: no limit is needed there
  expect(timed('{v:.{w}}', { v: 'abc', w: 400_000_000n })).toEqual(E.right('abc'))
})

it("CPython's own limits are kept: a float precision over 2**31-1 is 'too big'", () => {
  const r = timed('{v:.{w}f}', { v: 0.5, w: 2n ** 31n })
  expect(E.isLeft(r) ? r.left.message : '').toContain('is too big (at most 2147483647)')
})

it("a 'g' precision over the limit is no problem: 'g' stops at the double's own digits (as CPython prints it)", () => {
  expect(timed('{a:{b}}', { a: 66.16360243237284, b: 204.3203125 })).toEqual(
    E.right(`${' '.repeat(204 - 46)}66.1636024323728406670852564275264739990234375`),
  )
  expect(timed('{a:.{p}g}', { a: 0.5, p: 400_000_000n })).toEqual(E.right('0.5'))
  const alternate = timed('{a:#.{p}g}', { a: 0.5, p: 400_000_000n })
  expect(E.isLeft(alternate) ? alternate.left.message : '').toContain("precision 400000000 is over ckpt's limit")
})
