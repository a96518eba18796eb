import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { DTYPES, decodeSafetensors, encodeSafetensorsOrThrow, type DecodeOptions } from '../../src/tensors/index.js'
import { concat, metadata, tensorSet } from './arbitraries.js'

const validFile = fc.tuple(tensorSet, metadata).map(([t, m]) => concat(encodeSafetensorsOrThrow(t, m)))

const headerOf = (file: Uint8Array): { n: number; text: string } => {
  if (file.length < 8) return { n: 0, text: '' }
  const declared = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true))
  const n = Math.min(declared, file.length - 8) // mutations may have broken the prefix
  return { n, text: new TextDecoder().decode(file.subarray(8, 8 + n)) }
}

/** A file with its header replaced by `text`; the length prefix is fixed up unless `keepLength`. */
const withHeader = (file: Uint8Array, text: string, keepLength: boolean): Uint8Array => {
  const { n } = headerOf(file)
  const h = new TextEncoder().encode(text)
  const out = new Uint8Array(8 + h.length + (file.length - 8 - n))
  out.set(file.subarray(0, 8))
  if (!keepLength) new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true)
  out.set(h, 8)
  out.set(file.subarray(8 + n), 8 + h.length)
  return out
}

type Mutation = (file: Uint8Array) => Uint8Array

const truncate: fc.Arbitrary<Mutation> = fc.nat().map((k) => (f) => f.slice(0, k % (f.length + 1)))
const extend: fc.Arbitrary<Mutation> = fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => (f) => concat([f, extra]))
const flip: fc.Arbitrary<Mutation> = fc
  .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
  .map((edits) => (f) => {
    const out = f.slice()
    for (const [at, v] of edits) out[at % out.length] = v
    return out
  })
const flipHeaderOnly: fc.Arbitrary<Mutation> = fc
  .array(fc.tuple(fc.nat(), fc.constantFrom(...'{}[],:"\\0123456789-.eE _aFUIB'.split(''))), { minLength: 1, maxLength: 4 })
  .map((edits) => (f) => {
    const out = f.slice()
    const { n } = headerOf(f)
    for (const [at, ch] of edits) out[8 + (at % Math.max(1, n))] = ch.charCodeAt(0)
    return out
  })
const flipData: fc.Arbitrary<Mutation> = fc
  .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
  .map((edits) => (f) => {
    const out = f.slice()
    const start = 8 + headerOf(f).n
    if (start >= out.length) return out
    for (const [at, v] of edits) out[start + (at % (out.length - start))] = v
    return out
  })
const lengthPrefix: fc.Arbitrary<Mutation> = fc
  .oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 200n }), fc.constantFrom(100_000_000n, 100_000_001n))
  .map((n) => (f) => {
    const out = f.slice()
    if (out.length >= 8) new DataView(out.buffer).setBigUint64(0, n, true)
    return out
  })

/** Structured header rewrites that keep the JSON valid but break (or keep) the semantics. */
const rewrite: fc.Arbitrary<Mutation> = fc
  .record({
    pick: fc.nat(),
    what: fc.constantFrom('begin', 'end', 'shape', 'dtype', 'drop', 'dup', 'meta', 'swap', 'proto', 'rename'),
    delta: fc.integer({ min: -9, max: 9 }),
    dtype: fc.constantFrom(...DTYPES, 'X', ''),
    keepLength: fc.boolean(),
  })
  .map(({ pick, what, delta, dtype, keepLength }) => (f) => {
    if (f.length < 8) return f
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>
    try {
      header = JSON.parse(headerOf(f).text) as typeof header
    } catch {
      return f // an earlier mutation broke the JSON: nothing structured to rewrite
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return f
    const names = Object.keys(header).filter((k) => k !== '__metadata__')
    const name = names[pick % Math.max(1, names.length)]
    const found = name === undefined ? undefined : header[name]
    const t =
      typeof found === 'object' && found !== null && Array.isArray(found.data_offsets) && Array.isArray(found.shape) ? found : undefined
    let out = JSON.stringify(header)
    if (t !== undefined) {
      if (what === 'begin') t.data_offsets[0] = Math.max(0, t.data_offsets[0]! + delta)
      if (what === 'end') t.data_offsets[1] = Math.max(0, t.data_offsets[1]! + delta)
      if (what === 'shape') t.shape = t.shape.length && delta % 2 ? t.shape.slice(1) : [...t.shape, Math.abs(delta)]
      if (what === 'dtype') t.dtype = dtype
      if (what === 'drop') delete header[name!]
      if (what === 'meta') (header as Record<string, unknown>)['__metadata__'] = delta > 0 ? { k: delta } : delta
      if (what === 'swap' && names.length > 1) {
        const other = header[names[(pick + 1) % names.length]!]!
        ;[t.data_offsets, other.data_offsets] = [other.data_offsets, t.data_offsets]
      }
      out = JSON.stringify(header)
      if (what === 'dup') out = out.replace(/}$/, `,${JSON.stringify(name)}:${JSON.stringify(t)}}`)
      if (what === 'proto') out = out.replace(JSON.stringify(name), '"__proto__"')
      if (what === 'rename') out = out.replace(JSON.stringify(name), '"constructor"')
    }
    return withHeader(f, out, keepLength)
  })

const mutation = fc.oneof(truncate, extend, flip, flipData, flipHeaderOnly, lengthPrefix, rewrite)
const options: fc.Arbitrary<DecodeOptions> = fc.record({ f16AsF32: fc.boolean(), copy: fc.boolean() })

/** What every decode must satisfy, valid or not. */
const checkOutcome = (file: Uint8Array, opts: DecodeOptions): void => {
  const r = decodeSafetensors(file, opts) // throwing here fails the property
  if (E.isLeft(r)) {
    expect(typeof r.left._tag).toBe('string')
    expect(r.left.message).toMatch(/^safetensors: \S/)
    return
  }
  // A valid result: every tensor is inside the file or an owned copy, and sizes add up.
  let allocated = 0
  let total = 0
  for (const t of Object.values(r.right.tensors)) {
    total += t.data.byteLength
    if (t.data.buffer === file.buffer) {
      expect(t.data.byteOffset).toBeGreaterThanOrEqual(file.byteOffset + 8)
      expect(t.data.byteOffset + t.data.byteLength).toBeLessThanOrEqual(file.byteOffset + file.length)
    } else allocated += t.data.byteLength
  }
  // Conversion to float32 doubles F16/BF16; nothing else allocates beyond the file.
  expect(allocated).toBeLessThanOrEqual(opts.f16AsF32 ? 2 * file.length : file.length)
  if (!opts.f16AsF32) expect(total).toBeLessThanOrEqual(file.length - 8)
  // ... and it is genuinely valid: it re-encodes and decodes to the same tensors.
  const again = decodeSafetensors(concat(encodeSafetensorsOrThrow(r.right.tensors, r.right.metadata)))
  expect(E.isRight(again)).toBe(true)
}

describe('safetensors reader fuzz', () => {
  it('random corruptions of valid files never throw: Left with a typed error, or a valid result', () => {
    fc.assert(
      fc.property(validFile, fc.array(mutation, { minLength: 1, maxLength: 3 }), options, (file, ms, opts) => {
        checkOutcome(
          ms.reduce((f, m) => m(f), file),
          opts,
        )
      }),
      { numRuns: 3000 },
    )
  })

  it('every truncation of a valid file is rejected', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), (file, k) => {
        const cut = k % file.length
        const r = decodeSafetensors(file.slice(0, cut))
        expect(E.isLeft(r)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('arbitrary JSON headers and data never throw', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 }), options, (text, data, opts) => {
        const h = new TextEncoder().encode(text)
        const file = new Uint8Array(8 + h.length + data.length)
        new DataView(file.buffer).setBigUint64(0, BigInt(h.length), true)
        file.set(h, 8)
        file.set(data, 8 + h.length)
        checkOutcome(file, opts)
      }),
      { numRuns: 1000 },
    )
  })

  it('arbitrary bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), options, (file, opts) => checkOutcome(file, opts)),
      { numRuns: 1000 },
    )
  })

  it('a huge declared header or tensor size is refused without allocating it', () => {
    const file = new Uint8Array(16)
    new DataView(file.buffer).setBigUint64(0, 99_999_999n, true)
    expect(decodeSafetensors(file)).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidHeaderLength' } })
    const h = '{"w":{"dtype":"F64","shape":[1000000000000],"data_offsets":[0,8000000000000]}}'
    const big = concat([new Uint8Array(new BigUint64Array([BigInt(h.length)]).buffer), new TextEncoder().encode(h)])
    const r = decodeSafetensors(big, { copy: true })
    expect(E.isLeft(r) && r.left._tag).toBe('MetadataIncompleteBuffer')
  })
})
