import { resolve, sep } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES, validateKey, validatePrefix } from '../../src/storage/keys.js'

const segment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter(
    (s) =>
      !/[/\\\0]/.test(s) &&
      s !== '.' &&
      s !== '..' &&
      !s.startsWith('.ckpt~') &&
      Buffer.byteLength(s) <= MAX_SEGMENT_BYTES &&
      !/^[A-Za-z]:/.test(s),
  )
const validKey = fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('/'))

describe('validateKey', () => {
  it('accepts every key made of valid segments', () => {
    fc.assert(
      fc.property(validKey, (key) => {
        expect(validateKey(key)).toEqual(E.right(key))
      }),
    )
  })

  it('no accepted key, however odd, resolves outside (or onto) the folder it is stored in', () => {
    const root = resolve('/srv/ckpt')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          validKey,
          fc.array(fc.constantFrom('..', '.', 'a', '', '\\', 'b/..', '/'), { maxLength: 6 }).map((p) => p.join('/')),
        ),
        (key) => {
          if (E.isLeft(validateKey(key))) return
          const target = resolve(root, ...key.split('/'))
          expect(target.startsWith(root + sep)).toBe(true)
        },
      ),
    )
  })

  it('rejects a key with a traversal segment anywhere, naming the key and the rule', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.nat(4), fc.constantFrom('..', '.'), (parts, at, bad) => {
        const key = [...parts.slice(0, at), bad, ...parts.slice(at)].join('/')
        const result = validateKey(key)
        expect(E.isLeft(result)).toBe(true)
        if (E.isLeft(result)) {
          expect(result.left._tag).toBe('InvalidKey')
          expect(result.left.key).toBe(key)
          expect(result.left.message).toContain(`'${bad}' segment`)
        }
      }),
    )
  })

  it('enforces the byte limits on segments and keys (UTF-8 bytes, not characters)', () => {
    expect(E.isRight(validateKey('é'.repeat(127)))).toBe(true) // 254 bytes
    expect(E.isLeft(validateKey('é'.repeat(128)))).toBe(true) // 256 bytes
    const longest = Array.from({ length: 8 }, () => 'a'.repeat(127)).join('/') // 1023 bytes
    expect(E.isRight(validateKey(longest))).toBe(true)
    expect(E.isLeft(validateKey(`${longest}ab`))).toBe(true)
    expect(Buffer.byteLength(`${longest}ab`)).toBeGreaterThan(MAX_KEY_BYTES)
  })

  it('refuses non-strings with a clear message', () => {
    const result = validateKey(42 as unknown as string)
    expect(E.isLeft(result) && result.left.message).toContain('is a number, not a string')
  })
})

describe('validatePrefix', () => {
  it('accepts the start of any valid key, and splits it into folder and partial segment', () => {
    fc.assert(
      fc.property(validKey, fc.nat(), (key, cut) => {
        const prefix = key.slice(0, cut % (key.length + 1))
        const result = validatePrefix(prefix)
        expect(E.isRight(result)).toBe(true)
        if (E.isRight(result))
          expect(result.right.folder + (result.right.folder && prefix.includes('/') ? '/' : '') + result.right.partial).toBe(prefix)
      }),
    )
  })

  it('rejects traversal and absolute prefixes', () => {
    for (const bad of ['../', '/a', 'a/../b/', 'a\\', 'a//']) expect(E.isLeft(validatePrefix(bad)), bad).toBe(true)
  })
})
