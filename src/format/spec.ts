import { decimalValue } from './unicode-tables.js'

/** An alignment token of the format-spec mini-language. */
export type Align = '<' | '>' | '^' | '='

/**
 * A parsed format spec, still independent of the value's type (CPython's
 * `parse_internal_render_format_spec` with the type-dependent defaults left open).
 */
export interface FormatSpec {
  readonly source: string
  /** The explicit fill code point, or null. */
  readonly fill: string | null
  readonly align: Align | null
  readonly sign: '+' | '-' | ' ' | null
  /** `z`: coerce negative zero (floats only). */
  readonly noNegZero: boolean
  /** `#`: alternate form. */
  readonly alternate: boolean
  /** The `0` flag before the width (only when no fill was given). */
  readonly zeroPad: boolean
  /** -1 when absent. */
  readonly width: number
  readonly grouping: ',' | '_' | null
  /** -1 when absent. */
  readonly precision: number
  /** The presentation type code point, or null. */
  readonly type: string | null
}

/** A spec with the type's defaults applied (CPython's InternalFormatSpec). */
export interface ResolvedSpec {
  readonly fill: string
  readonly align: Align
  readonly sign: '+' | '-' | ' ' | null
  readonly noNegZero: boolean
  readonly alternate: boolean
  readonly width: number
  /** Separator and group size, or null for none. */
  readonly grouping: ',' | '_' | null
  readonly groupSize: 3 | 4
  readonly precision: number
  /** Presentation type; '' stands for CPython's '\0' (none, float default). */
  readonly type: string
}

const isAlign = (c: string | undefined): c is Align => c === '<' || c === '>' || c === '^' || c === '='

/** CPython's PY_SSIZE_T_MAX: a larger width or precision is "Too many decimal digits". */
const MAX_SPEC_INTEGER = 9223372036854775807n

/** CPython's INT_MAX: a larger float precision is "precision too big". */
export const MAX_FLOAT_PRECISION = 2 ** 31 - 1

/** Presentation types that allow `,` or `_` (PEP 378), before per-type checks. */
const GROUPING_TYPES = new Set(['d', 'e', 'f', 'g', 'E', 'G', '%', 'F', ''])
const GROUP4_TYPES = new Set(['b', 'o', 'x', 'X'])

/** `"'x'"` or `"U+0001"`-style rendering of a type code for messages. */
export const showCode = (code: string): string => {
  const cp = code.codePointAt(0) ?? 0
  return cp > 32 && cp < 127 ? `'${code}'` : `'\\x${cp.toString(16)}'`
}

/**
 * Parses a format spec (the part after `:`) exactly as CPython does.
 * Returns the spec, or a message saying why it is invalid for every value type.
 */
export const parseSpec = (source: string): FormatSpec | string => {
  const cps = Array.from(source)
  const end = cps.length
  let pos = 0
  let fill: string | null = null
  let align: Align | null = null
  let sign: '+' | '-' | ' ' | null = null
  let noNegZero = false
  let alternate = false
  let zeroPad = false
  let grouping: ',' | '_' | null = null
  let width = -1
  let precision = -1

  if (end - pos >= 2 && isAlign(cps[pos + 1])) {
    fill = cps[pos]!
    align = cps[pos + 1] as Align
    pos += 2
  } else if (end - pos >= 1 && isAlign(cps[pos])) {
    align = cps[pos] as Align
    pos += 1
  }
  const s = cps[pos]
  if (s === '+' || s === '-' || s === ' ') {
    sign = s
    pos++
  }
  if (cps[pos] === 'z') {
    noNegZero = true
    pos++
  }
  if (cps[pos] === '#') {
    alternate = true
    pos++
  }
  if (fill === null && cps[pos] === '0') {
    zeroPad = true
    pos++
  }
  /** CPython's get_integer: decimal digits (any script) as a width or precision. */
  const readInteger = (): number | string | null => {
    let n = 0
    let text = ''
    while (pos < end) {
      const d = decimalValue(cps[pos]!.codePointAt(0)!)
      if (d < 0) break
      n = n * 10 + d
      text += d
      pos++
    }
    if (text === '') return null
    if (text.length > 15 && BigInt(text) > MAX_SPEC_INTEGER) return `too many decimal digits (at most ${MAX_SPEC_INTEGER})`
    return n
  }
  const w = readInteger()
  if (typeof w === 'string') return `width: ${w}`
  if (w !== null) width = w
  if (cps[pos] === ',') {
    grouping = ','
    pos++
  }
  if (cps[pos] === '_') {
    if (grouping !== null) return "cannot specify both ',' and '_'"
    grouping = '_'
    pos++
  }
  if (cps[pos] === ',' && grouping === '_') return "cannot specify both ',' and '_'"
  if (cps[pos] === '.') {
    pos++
    const p = readInteger()
    if (typeof p === 'string') return `precision: ${p}`
    if (p === null) return "'.' must be followed by a precision"
    precision = p
  }
  if (end - pos > 1)
    return (
      'unexpected ' + JSON.stringify(cps.slice(pos).join('')) + ' (expected [[fill]align][sign][z][#][0][width][,|_][.precision][type])'
    )
  const type = end - pos === 1 ? cps[pos]! : null
  if (grouping !== null && type !== null) {
    const err = groupingError(grouping, type)
    if (err !== null) return err
  }
  return { source, fill, align, sign, noNegZero, alternate, zeroPad, width, grouping, precision, type }
}

/** CPython's check of `,`/`_` against the presentation type, or null when allowed. */
export const groupingError = (grouping: ',' | '_', type: string): string | null =>
  GROUPING_TYPES.has(type) || (grouping === '_' && GROUP4_TYPES.has(type)) ? null : `cannot specify '${grouping}' with ${showCode(type)}`

/**
 * Applies a value type's defaults (CPython's default_type and default_align):
 * ints use ('d', '>'), floats ('', '>'), strs ('s', '<').
 */
export const resolveSpec = (spec: FormatSpec, defaultType: string, defaultAlign: Align): ResolvedSpec | string => {
  const type = spec.type ?? defaultType
  if (spec.grouping !== null && spec.type === null) {
    const err = groupingError(spec.grouping, type)
    if (err !== null) return err
  }
  const fill = spec.fill ?? (spec.zeroPad ? '0' : ' ')
  const align: Align = spec.align ?? (spec.zeroPad && defaultAlign === '>' ? '=' : defaultAlign)
  return {
    fill,
    align,
    sign: spec.sign,
    noNegZero: spec.noNegZero,
    alternate: spec.alternate,
    width: spec.width,
    grouping: spec.grouping,
    groupSize: spec.grouping === '_' && GROUP4_TYPES.has(type) ? 4 : 3,
    precision: spec.precision,
    type,
  }
}
