import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { parseJson, type JsonValue } from '../../src/tensors/json.js'

/** Converts the syntax tree to what JSON.parse returns (last duplicate wins, numbers as JS numbers). */
const toPlain = (v: JsonValue): unknown => {
  switch (v.kind) {
    case 'object': {
      const o: Record<string, unknown> = {}
      for (const [k, x] of v.entries)
        Object.defineProperty(o, k, { value: toPlain(x), enumerable: true, configurable: true, writable: true })
      return o
    }
    case 'array':
      return v.items.map(toPlain)
    case 'number':
      return Number(v.raw)
    case 'string':
    case 'boolean':
      return v.value
    case 'null':
      return null
  }
}

const jsonParses = (s: string): boolean => {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}

const hasLoneSurrogateEscape = (s: string): boolean =>
  /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]/.test(s)

describe('strict JSON parser', () => {
  it('agrees with JSON.parse on every JSON document', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.constantFrom('', ' ', '\n\t', '\r\n '), (text, ws) => {
        const r = parseJson(ws + text + ws)
        if (E.isLeft(r)) throw new Error(`${r.left.problem} at ${r.left.position}`)
        expect(toPlain(r.right)).toEqual(JSON.parse(text))
      }),
      { numRuns: 500 },
    )
  })

  it('accepts exactly what JSON.parse accepts, on mutated documents (lone surrogate escapes aside)', () => {
    const mutated = fc
      .tuple(
        fc.json({ maxDepth: 3 }),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', '\\', '-', '0', 'e', '.', '\u000b', '\ufeff', 'tru', '\\u'),
      )
      .map(([t, at, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice(at % (t.length + 1)))
    fc.assert(
      fc.property(mutated, (text) => {
        fc.pre(!hasLoneSurrogateEscape(text))
        expect(E.isRight(parseJson(text))).toBe(jsonParses(text))
      }),
      { numRuns: 3000 },
    )
  })

  it('keeps duplicate keys and number text that JSON.parse loses', () => {
    const r = parseJson('{"a":1,"a":2.50,"b":1e400}')
    if (E.isLeft(r)) throw new Error(r.left.problem)
    expect(r.right.kind === 'object' && r.right.entries.map(([k, v]) => [k, v.kind === 'number' ? v.raw : null])).toEqual([
      ['a', '1'],
      ['a', '2.50'],
      ['b', '1e400'],
    ])
  })

  it('refuses lone surrogate escapes, which JSON.parse accepts', () => {
    for (const s of ['"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\\ud800x"']) expect(E.isLeft(parseJson(s))).toBe(true)
    expect(parseJson('"\\ud83d\\ude00"')).toEqual(E.right({ kind: 'string', value: '\u{1F600}', at: 0 }))
  })

  it('refuses nesting deeper than 128 without overflowing the stack', () => {
    expect(E.isRight(parseJson('['.repeat(128) + ']'.repeat(128)))).toBe(true)
    const deep = parseJson('['.repeat(100_000))
    expect(E.isLeft(deep) && deep.left.problem).toContain('nesting')
  })
})
