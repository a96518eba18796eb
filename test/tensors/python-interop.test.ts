import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeSafetensors, encodeSafetensorsOrThrow, type Dtype, type Tensor, type TensorData } from '../../src/tensors/index.js'
import { bytesOf, concat, tensorName, tensorOf } from './arbitraries.js'
import { buildFile, CASES } from './corpus.js'
import { pythonMissing, runPythonJson } from './python.js'

const ORACLE = fileURLToPath(new URL('./safetensors_oracle.py', import.meta.url))
const oracle = (args: ReadonlyArray<string>, input?: unknown): unknown => runPythonJson(ORACLE, args, input)

type Literal = number | string | boolean
interface SpecTensor {
  readonly name: string
  readonly dtype: Dtype
  readonly shape: number[]
  readonly values?: Literal[]
  readonly bits?: number[]
  /** The float values of `bits`, written out by hand. */
  readonly floats?: Literal[]
}

// Literal values; Python builds its arrays from the same literals, independently.
const SPEC: SpecTensor[] = [
  { name: 'f32', dtype: 'F32', shape: [3, 3], values: [0, '-0', 1.5, -3.25, 0.1, 'inf', '-inf', 'nan', 1e-45] },
  { name: 'f64', dtype: 'F64', shape: [5], values: [Math.PI, '-0', 'nan', 5e-324, 1.7976931348623157e308] },
  { name: 'i32', dtype: 'I32', shape: [2, 2], values: [-2147483648, 2147483647, 0, -1] },
  { name: 'i64', dtype: 'I64', shape: [3], values: ['-9223372036854775808', '9223372036854775807', '-1'] },
  { name: 'u8', dtype: 'U8', shape: [4], values: [0, 1, 128, 255] },
  { name: 'bool', dtype: 'BOOL', shape: [3, 1], values: [true, false, true] },
  {
    name: 'f16',
    dtype: 'F16',
    shape: [3, 3],
    bits: [0x0000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x3555],
    floats: [0, 1, -2, 65504, 5.960464477539063e-8, 'inf', '-inf', 'nan', 0.333251953125],
  },
  {
    name: 'bf16',
    dtype: 'BF16',
    shape: [2, 3],
    bits: [0x3f80, 0xc000, 0x7f80, 0x7fc0, 0x0001, 0x4049],
    floats: [1, -2, 'inf', 'nan', 9.183549615799121e-41, 3.140625],
  },
  { name: 'i8', dtype: 'I8', shape: [2], values: [-128, 127] },
  { name: 'i16', dtype: 'I16', shape: [2], values: [-32768, 32767] },
  { name: 'u32', dtype: 'U32', shape: [1], values: [4294967295] },
  { name: 'u64', dtype: 'U64', shape: [1], values: ['18446744073709551615'] },
  { name: 'scalar', dtype: 'F32', shape: [], values: [42] },
  { name: 'empty', dtype: 'I32', shape: [0, 3], values: [] },
  { name: 'ünïcode/ключ.0 "q"', dtype: 'U16', shape: [2], values: [0, 65535] },
]
const PLAIN_METADATA = { format: 'np', ünï: '✓ "quoted"\n' }
const ALL_METADATA = { step: '1200' }

const num = (v: Literal): number =>
  v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : typeof v === 'string' ? Number(v) : Number(v)

const build = (t: SpecTensor): Tensor => {
  const v = t.values ?? []
  const data: TensorData = (() => {
    switch (t.dtype) {
      case 'F16':
      case 'BF16':
        return new Uint16Array(t.bits ?? [])
      case 'F32':
        return new Float32Array(v.map(num))
      case 'F64':
        return new Float64Array(v.map(num))
      case 'I64':
        return new BigInt64Array(v.map((x) => BigInt(x)))
      case 'U64':
        return new BigUint64Array(v.map((x) => BigInt(x)))
      case 'I32':
        return new Int32Array(v.map(num))
      case 'U32':
        return new Uint32Array(v.map(num))
      case 'I16':
        return new Int16Array(v.map(num))
      case 'U16':
        return new Uint16Array(v.map(num))
      case 'I8':
        return new Int8Array(v.map(num))
      default:
        return new Uint8Array(v.map(num))
    }
  })()
  return { dtype: t.dtype, shape: t.shape, data }
}
const tensorsOf = (spec: ReadonlyArray<SpecTensor>): Record<string, Tensor> => Object.fromEntries(spec.map((t) => [t.name, build(t)]))

const missing = pythonMissing(['numpy', 'safetensors'])
if (missing) console.warn(`python-interop: skipped: ${missing} (run \`pip install safetensors\`)`)

describe.skipIf(missing !== undefined)('safetensors interop with Python safetensors', () => {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ckpt-safetensors-'))
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ tensors: SPEC, plainMetadata: PLAIN_METADATA, allMetadata: ALL_METADATA }))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('a file written by ckpt loads in Python (numpy load_file, safe_open) with identical values', () => {
    const plain = SPEC.filter((t) => t.dtype !== 'BF16')
    writeFileSync(join(dir, 'ckpt-plain.safetensors'), concat(encodeSafetensorsOrThrow(tensorsOf(plain), PLAIN_METADATA)))
    writeFileSync(join(dir, 'ckpt-all.safetensors'), concat(encodeSafetensorsOrThrow(tensorsOf(SPEC), ALL_METADATA)))
    const report = oracle(['check', dir]) as { problems: string[]; checked: number; version: string }
    expect(report.problems).toEqual([])
    expect(report.checked).toBe(SPEC.length)
  })

  it('a file written by Python (numpy save_file, serialize_file) loads in ckpt with identical values', () => {
    oracle(['write', dir])
    for (const [file, spec, meta] of [
      ['python-plain.safetensors', SPEC.filter((t) => t.dtype !== 'BF16'), PLAIN_METADATA],
      ['python-all.safetensors', SPEC, ALL_METADATA],
    ] as const) {
      const bytes = new Uint8Array(readFileSync(join(dir, file)))
      const r = decodeSafetensors(bytes)
      if (E.isLeft(r)) throw new Error(r.left.message)
      expect({ ...r.right.metadata }).toEqual(meta)
      expect(Object.keys(r.right.tensors).sort()).toEqual(spec.map((t) => t.name).sort())
      for (const t of spec) {
        const got = r.right.tensors[t.name]!
        expect(got.dtype).toBe(t.dtype)
        expect([...got.shape]).toEqual(t.shape)
        expect(bytesOf(got.data)).toEqual(bytesOf(build(t).data))
      }
      const wide = decodeSafetensors(bytes, { f16AsF32: true })
      if (E.isLeft(wide)) throw new Error(wide.left.message)
      for (const t of spec.filter((x) => x.floats)) {
        const got = [...(wide.right.tensors[t.name]!.data as Float32Array)]
        expect(got.map((x) => (Number.isNaN(x) ? 'nan' : x))).toEqual(t.floats!.map((f) => (f === 'nan' ? 'nan' : num(f))))
      }
    }
  })

  it('writes the same bytes as Python for the same tensors and metadata', () => {
    const python = new Uint8Array(readFileSync(join(dir, 'python-all.safetensors')))
    expect(concat(encodeSafetensorsOrThrow(tensorsOf(SPEC), ALL_METADATA))).toEqual(python)
  })

  it('random tensor sets: byte-identical to Python serialize, and Python reads ckpt files back exactly', () => {
    const writable: Dtype[] = [
      'BOOL',
      'U8',
      'I8',
      'I16',
      'U16',
      'F16',
      'BF16',
      'I32',
      'U32',
      'F32',
      'F64',
      'I64',
      'U64',
      'C64',
      'F8_E4M3',
      'F8_E4M3FNUZ',
      'F8_E5M2',
      'F8_E5M2FNUZ',
      'F8_E8M0',
    ]
    const sets = fc.sample(
      fc.tuple(
        fc.uniqueArray(fc.tuple(tensorName, fc.constantFrom(...writable).chain(tensorOf)), { selector: ([n]) => n, maxLength: 8 }),
        fc.option(fc.dictionary(tensorName, fc.string({ unit: 'binary', maxLength: 8 }), { maxKeys: 1 }), { nil: undefined }),
      ),
      { numRuns: 80, seed: 20261126 },
    )
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
    const cases = sets.map(([entries, meta]) => {
      const tensors = Object.fromEntries(entries)
      return {
        tensors: entries.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, hex: hex(bytesOf(t.data)) })),
        metadata: meta ?? null,
        ckpt: hex(concat(encodeSafetensorsOrThrow(tensors, meta))),
        expectedRead: entries.map(([name, t]) => [name, t.dtype, [...t.shape], hex(bytesOf(t.data))]).sort(),
      }
    })
    const results = oracle(['batch'], cases) as Array<{ python: string; read: unknown[] }>
    results.forEach((r, k) => {
      const c = cases[k]!
      // Python safetensors 0.8.0 writes invalid JSON for no tensors with an empty metadata map (next test).
      if (c.tensors.length === 0 && c.metadata !== null && Object.keys(c.metadata).length === 0)
        expect(Buffer.from(r.python, 'hex').toString('latin1')).toContain('{},"__metadata__":{}}')
      else expect(r.python).toBe(c.ckpt)
      expect([...r.read].sort()).toEqual(cases[k]!.expectedRead)
    })
  })

  it('for no tensors and empty metadata, Python writes a header its own reader rejects; ckpt writes a valid one', () => {
    const [python] = oracle(
      ['batch'],
      [{ tensors: [], metadata: {}, ckpt: '0800000000000000' + Buffer.from('{}      ').toString('hex') }],
    ) as Array<{ python: string }>
    const pythonFile = new Uint8Array(Buffer.from(python!.python, 'hex'))
    expect(new TextDecoder().decode(pythonFile.subarray(8)).trimEnd()).toBe('{},"__metadata__":{}}')
    expect(decodeSafetensors(pythonFile)).toMatchObject({ _tag: 'Left', left: { _tag: 'InvalidHeaderJson' } })
    const ours = concat(encodeSafetensorsOrThrow({}, {}))
    expect(new TextDecoder().decode(ours.subarray(8)).trimEnd()).toBe('{"__metadata__":{}}')
    expect(oracle(['validate'], [python!.python, Buffer.from(ours).toString('hex')])).toEqual([
      expect.stringContaining('trailing characters'),
      'ok',
    ])
  })

  it('accepts and rejects the validation corpus as the reference reader does, except where ckpt is stricter', () => {
    const verdicts = oracle(
      ['validate'],
      CASES.map((c) => Buffer.from(buildFile(c)).toString('hex')),
    ) as string[]
    const disagreements = CASES.flatMap((c, k) => {
      const ours = E.isRight(decodeSafetensors(buildFile(c))) ? 'ok' : 'error'
      const theirs = verdicts[k] === 'ok' ? 'ok' : 'error'
      const expected = c.stricterThanReference ? ['error', 'ok'] : [ours, ours]
      return [ours, theirs].join() === expected.join() ? [] : [`${c.name}: ckpt ${ours}, reference ${verdicts[k]}`]
    })
    expect(disagreements).toEqual([])
  })
})
