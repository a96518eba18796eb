import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeSafetensors } from '../../src/tensors/index.js'
import { buildFile, CASES } from './corpus.js'

describe('safetensors reader validation', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = decodeSafetensors(buildFile(c))
    if (c.expect === 'ok') {
      if (E.isLeft(r)) throw new Error(`expected a valid file, got ${r.left.message}`)
      return
    }
    expect(E.isLeft(r) && r.left._tag).toBe(c.expect)
    if (E.isLeft(r)) {
      expect(r.left.message).toMatch(/^safetensors: /)
      for (const m of c.mentions ?? []) expect(r.left.message).toContain(m)
    }
  })

  it('reads names through JSON escapes and keeps the metadata', () => {
    const r = decodeSafetensors(
      buildFile({
        name: '',
        header: '{"__metadata__":{"k\\n":"v\\u00e9"},"\\u0061\\/b":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}',
        data: 2,
        expect: 'ok',
      }),
    )
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(Object.keys(r.right.tensors)).toEqual(['a/b'])
    expect({ ...r.right.metadata }).toEqual({ 'k\n': 'vé' })
  })

  it('returns null-prototype records, so inherited names are absent', () => {
    const r = decodeSafetensors(buildFile({ name: '', header: '{"__metadata__":{"a":"b"}}', expect: 'ok' }))
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(Object.getPrototypeOf(r.right.tensors)).toBe(null)
    expect(Object.getPrototypeOf(r.right.metadata)).toBe(null)
    expect('toString' in r.right.tensors).toBe(false)
  })

  it('gives Left, not an exception, for input that is not a Uint8Array', () => {
    const r = decodeSafetensors(new ArrayBuffer(16) as unknown as Uint8Array)
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidHeaderSchema')
  })

  it('orders decoded tensors by their data offsets', () => {
    const r = decodeSafetensors(
      buildFile({
        name: '',
        header: '{"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}',
        data: 2,
        expect: 'ok',
      }),
    )
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(Object.keys(r.right.tensors)).toEqual(['z', 'a'])
  })
})
