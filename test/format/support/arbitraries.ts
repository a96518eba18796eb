/** fast-check generators of templates and typed values covering the whole str.format surface. */
import fc from 'fast-check'
import type { TemplateValue } from '../../../src/format/index.js'
import type { Case } from './python.js'

export const intArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt(-2000n, 2000n) },
  { weight: 3, arbitrary: fc.bigInt(-(2n ** 70n), 2n ** 70n) },
  { weight: 1, arbitrary: fc.bigInt(-(2n ** 1030n), 2n ** 1030n) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0n,
      1n,
      -1n,
      65n,
      0x10ffffn,
      0x110000n,
      0xd800n,
      2n ** 53n + 1n,
      -(2n ** 63n),
      10n ** 4300n - 1n,
      10n ** 4300n,
      -(10n ** 4300n),
      2n ** 20000n,
      2n ** 1024n,
      2n ** 1024n - 2n ** 970n,
      2n ** 1024n - 2n ** 970n - 1n,
    ),
  },
)

const SPECIAL_FLOATS = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  1.7976931348623157e308,
  1e16,
  1e15,
  9999999999999998,
  1e-5,
  1e-4,
  0.0001,
  0.1 + 0.2,
  0.1,
  0.5,
  1.5,
  2.5,
  9.5,
  0.05,
  0.125,
  0.375,
  1e21,
  1e22,
  1e23,
  123456789.125,
  2 ** 53,
  2 ** 63,
  2 ** 1023,
  0.3,
  2 / 3,
  1 / 3,
  100,
  1e100,
  5e-7,
  0.000123,
  99.995,
  0.995,
  9.995e-5,
]

export const floatArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.double() },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 9 })).map(([k, e]) => k / 10 ** e),
  },
  // exact binary fractions: exact decimal ties for f/e/g/% rounding
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: 0, max: 14 })).map(([k, e]) => k / 2 ** e),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.double({ min: 1, max: 10, noNaN: true }), fc.integer({ min: -330, max: 308 })).map(([m, e]) => m * 10 ** e),
  },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_FLOATS) },
)

const SPECIAL_STRINGS = [
  '',
  'abc',
  "it's",
  'say "hi"',
  `both ' and "`,
  '\\',
  '\t\n\r\x00\x1f\x7f',
  'é',
  'ÿ\x80\xa0\xad',
  '日本語',
  '😀',
  'a😀b',
  '\u200b\u2028\ufeff',
  '\ud800',
  'x\udc00y',
  '\u0378',
  '\u{1FAE8}',
  '\u{31350}',
  '\u{E0001}',
  '\u{10FFFF}',
  '\u0660\u06f3',
  'ℌ',
]

export const strArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
)

export const valueArb: fc.Arbitrary<TemplateValue> = fc.oneof(
  { weight: 4, arbitrary: intArb },
  { weight: 5, arbitrary: floatArb },
  { weight: 3, arbitrary: strArb },
  { weight: 1, arbitrary: fc.boolean() },
)

export const NAMES = ['a', 'b', 'x', 'val_loss', 'epoch', 'é', 'k 1', 'A-b']

const INT_TYPES = ['b', 'c', 'd', 'o', 'x', 'X', 'n', '']
const FLOAT_TYPES = ['e', 'E', 'f', 'F', 'g', 'G', '%', 'n', '']
const ALL_TYPES = ['b', 'c', 'd', 'o', 'x', 'X', 'n', 'e', 'E', 'f', 'F', 'g', 'G', '%', 's', '', 'q', 'S', 'r', '=', 'dd']
const FILLS = [' ', '*', '0', 'x', '<', '>', '=', '^', '.', '😀', 'é', '\u0663']

/** What a field formats: its value's Python type after any conversion, or 'any' for unconstrained specs. */
type Kind = 'int' | 'float' | 'str' | 'any'

/** One piece of a format spec; `nest` pieces may be supplied through a nested field. */
interface SpecPiece {
  readonly text: string
  readonly nest: boolean
}

/** `arb` one time in `every`, else null. */
const opt = <T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 1, arbitrary: arb }, { weight: every - 1, arbitrary: fc.constant(null) })

/** Format specs, mostly valid for `kind` (types, flags and grouping that Python accepts for it). */
const specPiecesArb = (kind: Kind): fc.Arbitrary<SpecPiece[]> =>
  fc
    .record({
      type: fc.constantFrom(
        ...(kind === 'int' ? [...INT_TYPES, ...FLOAT_TYPES] : kind === 'float' ? FLOAT_TYPES : kind === 'str' ? ['s', ''] : ALL_TYPES),
      ),
      fill: opt(fc.constantFrom(...FILLS), 2),
      align: opt(fc.constantFrom(...(kind === 'str' ? ['<', '>', '^'] : ['<', '>', '^', '='])), 2),
      sign: opt(fc.constantFrom('+', '-', ' '), kind === 'str' ? 30 : 2),
      z: fc.integer({ min: 0, max: kind === 'float' ? 4 : 30 }),
      alt: fc.integer({ min: 0, max: kind === 'str' ? 30 : 3 }),
      zero: fc.boolean(),
      width: opt(
        fc.oneof(
          { weight: 20, arbitrary: fc.integer({ min: 0, max: 25 }).map(String) },
          { weight: 1, arbitrary: fc.constantFrom('\u0663', '1\u0660', '00', '007') },
        ),
        2,
      ),
      grouping: opt(
        fc.oneof({ weight: 12, arbitrary: fc.constantFrom(',', '_') }, { weight: 1, arbitrary: fc.constantFrom(',_', '_,') }),
        kind === 'str' ? 30 : 3,
      ),
      precision: opt(
        fc.oneof(
          { weight: 12, arbitrary: fc.integer({ min: 0, max: 20 }).map(String) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 1200 }).map(String) },
          { weight: 1, arbitrary: fc.constant('') },
        ),
        kind === 'str' ? 3 : 2,
      ),
    })
    .map((r) => {
      const intType = kind === 'int' && INT_TYPES.includes(r.type) && r.type !== ''
      const pieces: SpecPiece[] = []
      if (r.align !== null) pieces.push({ text: (r.fill ?? '') + r.align, nest: true })
      if (r.sign !== null && !(r.type === 'c' && kind === 'int')) pieces.push({ text: r.sign, nest: false })
      if (r.z === 0 && !intType) pieces.push({ text: 'z', nest: false })
      if (r.alt === 0 && !(r.type === 'c' && kind === 'int')) pieces.push({ text: '#', nest: false })
      if (r.zero) pieces.push({ text: '0', nest: false })
      if (r.width !== null) pieces.push({ text: r.width, nest: true })
      if (
        r.grouping !== null &&
        (kind === 'any' || !['c', 'n', 's'].includes(r.type)) &&
        (r.grouping !== ',' || !['b', 'o', 'x', 'X'].includes(r.type))
      )
        pieces.push({ text: r.grouping, nest: false })
      if (r.precision !== null && !(intType && kind === 'int')) {
        const p = /^[0-9]+$/.test(r.precision) && ['', 'g', 'G', 'n'].includes(r.type) && Number(r.precision) === 0 ? '1' : r.precision
        pieces.push({ text: '.', nest: false }, { text: p, nest: true })
      }
      if (r.type !== '') pieces.push({ text: r.type, nest: true })
      return pieces
    })

const kindOf = (v: TemplateValue, conversion: string | null): Kind =>
  conversion !== null ? 'str' : typeof v === 'string' ? 'str' : typeof v === 'number' ? 'float' : 'int'

/** A template field with the values it needs (its own and its nested fields'). */
interface FieldGen {
  readonly text: string
  readonly names: ReadonlyArray<string>
  readonly values: Readonly<Record<string, TemplateValue>>
}

const fieldArb = (index: number): fc.Arbitrary<FieldGen> =>
  fc
    .record({
      name: fc.oneof(
        { weight: 6, arbitrary: fc.constant(NAMES[index % NAMES.length]!) },
        { weight: 1, arbitrary: fc.constantFrom(...NAMES) },
      ),
      value: valueArb,
      conversion: opt(fc.oneof({ weight: 20, arbitrary: fc.constantFrom('r', 's', 'a') }, { weight: 1, arbitrary: fc.constant('x') }), 4),
      unconstrained: fc.integer({ min: 0, max: 9 }),
      hasSpec: fc.integer({ min: 0, max: 9 }),
      emptySpec: fc.boolean(),
      nestMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      nestAsInt: fc.boolean(),
      nestMode: fc.integer({ min: 0, max: 15 }),
    })
    .chain((r) => specPiecesArb(r.unconstrained === 0 ? 'any' : kindOf(r.value, r.conversion)).map((pieces) => ({ ...r, pieces })))
    .map((r) => {
      let value = r.value
      if (typeof value === 'bigint' && r.conversion === null && r.pieces.some((p) => p.text === 'c'))
        value = (value < 0n ? -value : value) % 0x110000n
      const values: Record<string, TemplateValue> = { [r.name]: value }
      const names = [r.name]
      let spec = ''
      if (r.hasSpec > 1) {
        if (r.nestMode === 0) {
          const name = `n${index}_w`
          values[name] = r.pieces.map((p) => p.text).join('')
          names.push(name)
          spec = `{${name}}`
        } else
          r.pieces.forEach((p, i) => {
            if (p.nest && r.nestMask[i % 8] === true && r.nestMode < 5) {
              const name = `n${index}_${i}`
              values[name] = r.nestAsInt && /^[0-9]+$/.test(p.text) ? BigInt(p.text) : p.text
              names.push(name)
              spec += `{${name}}`
            } else spec += p.text
          })
      }
      const conv = r.conversion === null ? '' : `!${r.conversion}`
      const text = `{${r.name}${conv}${r.hasSpec > 1 ? ':' + spec : r.emptySpec ? ':' : ''}}`
      return { text, names, values }
    })

const literalArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom('{{', '}}') },
      { weight: 4, arbitrary: fc.string({ maxLength: 4 }).map((s) => s.replace(/[{}]/g, '')) },
    ),
    { maxLength: 3 },
  )
  .map((xs) => xs.join(''))

/** Well-formed templates (mostly) with values for every field, sometimes one missing, plus extra keys. */
export const structuredCaseArb: fc.Arbitrary<Case> = fc
  .integer({ min: 1, max: 4 })
  .chain((n) =>
    fc.tuple(
      fc.array(literalArb, { minLength: n + 1, maxLength: n + 1 }),
      fc.tuple(...Array.from({ length: n }, (_, i) => fieldArb(i))),
      fc.array(valueArb, { minLength: NAMES.length, maxLength: NAMES.length }),
      fc.integer({ min: 0, max: 19 }),
    ),
  )
  .map(([literals, fields, vals, drop]) => {
    let template = literals[0]!
    const values: Record<string, TemplateValue> = {}
    const used: string[] = []
    fields.forEach((f, i) => {
      template += f.text + literals[i + 1]!
      used.push(...f.names)
      for (const [k, v] of Object.entries(f.values)) if (!(k in values)) values[k] = v
    })
    NAMES.forEach((name, i) => {
      if (!(name in values) && i % 3 === 0) values[name] = vals[i]!
    })
    if (drop === 0) delete values[used[0]!]
    return { template, values }
  })

const GARBAGE = ['{', '}', ':', '!', 'a', 'x', '0', ' ', '<', '>', '^', '=', '.', 'r', 's', 'd', 'f', '5', ',', '_', '#', '+', '{{', '}}']

/** Random strings over the template syntax's characters: mostly invalid templates. */
export const garbageCaseArb: fc.Arbitrary<Case> = fc
  .tuple(fc.array(fc.constantFrom(...GARBAGE), { maxLength: 12 }), valueArb, valueArb)
  .map(([xs, a, x]) => ({ template: xs.join(''), values: { a, x } }))

/** Hand-picked malformed or boundary templates, each paired with random values. */
export const EDGE_TEMPLATES = [
  '{',
  '}',
  '{}',
  '{0}',
  '{00}',
  '{\u0663}',
  '{!r}',
  '{:5}',
  '{a',
  'a}',
  '{a!}',
  '{a!}}',
  '{a!q}',
  '{a!r',
  '{a!rx}',
  '{a!r:}',
  '{a:}',
  '{a:{b:{x}}}',
  '{a:{b:{{}}}}',
  '{a:{{}}}',
  '{a:{{>5}}}',
  '{{}',
  '{{a}}',
  '}}{{',
  '{ a}',
  '{a }',
  '{a:{b}}',
  '{a:{b}{x}}',
  '{a:{b!r}}',
  '{a:{}}',
  '{a:{b:>}}',
  '{a:{b}.{x}f}',
  '{{{a}}}',
  '{a}}',
  '{{{a}',
  '{a{b}}',
  '{a:}}',
  '{a:{b}}}',
  '{a!s:{b}}',
  '{a:<}',
  '{a:<<}',
  '{a:,_}',
  '{a:_,}',
  '{a:.}',
  '{a:.f}',
  '{a:5.}',
  '{a:z}',
  '{a:=}',
  '{a:0=}',
  '{a:ab}',
  '{a:\u0663\u0660}',
  '{a:x<\u0663}',
]

export const edgeCaseArb: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...EDGE_TEMPLATES), valueArb, valueArb, valueArb)
  .map(([template, a, b, x]) => ({ template, values: { a, b, x } }))

/** One numeric field with a float presentation (or none): stresses exact digits and rounding ties. */
export const numberCaseArb: fc.Arbitrary<Case> = fc
  .record({
    x: fc.oneof({ weight: 5, arbitrary: floatArb }, { weight: 1, arbitrary: intArb }),
    sign: fc.constantFrom('', '', '+', ' ', '-'),
    z: fc.constantFrom('', '', '', 'z'),
    alt: fc.constantFrom('', '', '', '#'),
    width: fc.constantFrom('', '', '', '012', '20', '08'),
    grouping: fc.constantFrom('', '', '', ',', '_'),
    precision: fc.oneof(
      fc.constant(''),
      fc.integer({ min: 0, max: 30 }).map((p) => `.${p}`),
      fc.integer({ min: 0, max: 800 }).map((p) => `.${p}`),
    ),
    type: fc.constantFrom('', 'e', 'E', 'f', 'F', 'g', 'G', '%', 'n', 'r'),
    reprTemplate: fc.constantFrom('{x}', '{x!r}', '{x!s:>30}', '{x:}'),
  })
  .map((r) => {
    if (r.type === 'r') return { template: r.reprTemplate, values: { x: r.x } }
    const isInt = typeof r.x === 'bigint'
    const z = isInt && r.type === '' ? '' : r.z
    const grouping = r.type === 'n' ? '' : r.grouping
    const precision = isInt && r.type === '' ? '' : r.precision
    return { template: `{x:${r.sign}${z}${r.alt}${r.width}${grouping}${precision}${r.type}}`, values: { x: r.x } }
  })
