/** The laws of the nearest-name helper every unknown-option message and the missing-monitor note use. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkpointerOwnKeys } from '../../src/checkpointer/options.js'
import { nameDistance, nearestName } from '../../src/policy/nearest-name.js'
import { policyOptionKeys } from '../../src/policy/options.js'
import { typoOf } from './support/typos.js'

/** Every option name ckpt takes anywhere (the Checkpointer's entry point takes them all). */
const OPTIONS = [...policyOptionKeys, ...checkpointerOwnKeys]

/** The optimal string alignment distance by its recursive definition, as an oracle for short names. */
const osa = (a: string, b: string): number => {
  const memo = new Map<string, number>()
  const d = (i: number, j: number): number => {
    if (i === 0) return j
    if (j === 0) return i
    const key = `${i},${j}`
    const known = memo.get(key)
    if (known !== undefined) return known
    let r = Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1))
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) r = Math.min(r, d(i - 2, j - 2) + 1)
    memo.set(key, r)
    return r
  }
  return d(a.length, b.length)
}

describe('nameDistance', () => {
  it('is the optimal string alignment distance, ignoring case', () => {
    const short = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', '_'), maxLength: 7 })
    fc.assert(fc.property(short, short, (a, b) => nameDistance(a, b) === osa(a.toLowerCase(), b.toLowerCase())))
    expect(nameDistance('saveBestOnyl', 'saveBestOnly')).toBe(1)
    expect(nameDistance('SAVEBESTONLY', 'saveBestOnly')).toBe(0)
    expect(nameDistance('ca', 'abc')).toBe(3) // OSA, not unrestricted Damerau–Levenshtein (2)
  })
})

describe('nearestName: the laws', () => {
  it('one swap, insertion, deletion or replacement in any option name suggests that name', () => {
    fc.assert(fc.property(typoOf(OPTIONS), ({ name, typo }) => nearestName(typo, OPTIONS) === name))
  })
  it('a name that shares no character with any option suggests nothing', () => {
    const letters = new Set(OPTIONS.join('').toLowerCase())
    const foreign = fc.string({ unit: fc.constantFrom(...'0123456789-.#@ '.split('').filter((c) => !letters.has(c))), minLength: 1 })
    fc.assert(fc.property(foreign, (name) => nearestName(name, OPTIONS) === undefined))
  })
  it('a suggestion is an option at the least distance, within a third of the longer name (at least 1)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (name) => {
        const got = nearestName(name, OPTIONS)
        const least = Math.min(...OPTIONS.map((o) => nameDistance(name, o)))
        const near = OPTIONS.filter((o) => nameDistance(name, o) <= Math.max(1, Math.floor(Math.max(name.length, o.length) / 3)))
        if (got === undefined) return near.length === 0
        return OPTIONS.includes(got) && near.includes(got) && nameDistance(name, got) === least
      }),
    )
  })
  it('examples: close typos suggest, short or far names do not', () => {
    expect(nearestName('saveBestOnyl', OPTIONS)).toBe('saveBestOnly')
    expect(nearestName('save_best_only', OPTIONS)).toBe('saveBestOnly')
    expect(nearestName('Storage', OPTIONS)).toBe('storage')
    expect(nearestName('asnyc', OPTIONS)).toBe('async')
    expect(nearestName('vall_loss', ['loss', 'val_loss', 'acc'])).toBe('val_loss')
    expect(nearestName('lr', OPTIONS)).toBeUndefined() // two edits from `log`: too many for a 3-letter name
    expect(nearestName('learningRate', OPTIONS)).toBeUndefined()
    expect(nearestName('x', [])).toBeUndefined()
  })
})
