import { describe, expect, it } from 'vitest'
import { samples, typeErrors } from './samples.js'

// Every ```ts sample of README.md and docs/ compiles as written (strict, this repository's tsconfig, `ckpt` resolved to
// src/), with what it takes as given declared in a `<!-- sample-context: ... -->` comment above it. Only listings of
// types and signatures (`<!-- listing -->`) are not compiled.
const all = samples()
const compiled = all.filter((s) => !s.listing)

describe('the TypeScript samples of README.md and docs/', () => {
  it('there are samples, and only a few listings are left uncompiled', () => {
    expect(compiled.length).toBeGreaterThan(20)
    expect(all.filter((s) => s.listing).length).toBeLessThanOrEqual(8)
  })

  it('a sample with a type error is reported at its line in the Markdown file', () => {
    const broken = {
      ...compiled[0]!,
      name: 'broken',
      file: 'docs/x.md',
      line: 10,
      context: 'declare const n: number',
      code: 'const s: string = n',
    }
    expect(typeErrors([broken]).get('broken')).toEqual(["docs/x.md:11: TS2322: Type 'number' is not assignable to type 'string'."])
  })

  const errors = typeErrors(compiled)
  for (const s of compiled) it(`${s.name} (line ${s.line}) type-checks under strict`, () => expect(errors.get(s.name)).toEqual([]))
})
