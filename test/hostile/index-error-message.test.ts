import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { decodeIndex } from '../../src/checkpointer/index-schema.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const index = (checkpoints: string): string =>
  `{"format":"ckpt-index","version":1,"checkpoints":${checkpoints},"replacing":[],"removing":[],"policyState":null}`

const huge: ReadonlyArray<[string, string, RegExp]> = [
  [
    'a 1M-item array where an entry belongs',
    index(`[${JSON.stringify(Array.from({ length: 1_000_000 }, (_, i) => i))}]`),
    /an array of 1000000 items/,
  ],
  ['a 5 MB string where an entry belongs', index(`[${JSON.stringify('x'.repeat(5_000_000))}]`), /"x{120}…"/],
  [
    'an object of 100k keys as the entries',
    index(JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])))),
    /100000 in all/,
  ],
]

for (const [what, json, shown] of huge)
  it(`an index schema error renders the offending value briefly: ${what}`, () => {
    const r = decodeIndex(text(json))
    expect(E.isLeft(r) && r.left._tag).toBe('CorruptIndex')
    const message = E.isLeft(r) ? r.left.message : ''
    expect(message).toMatch(shown)
    expect(message.length).toBeLessThan(2_500)
  })
