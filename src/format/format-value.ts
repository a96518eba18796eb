import { doubleToString, fixedFast } from './float-short.js'
import { layoutNumber, padString } from './layout.js'
import { convertValue, exceedsDigitLimit, INT_MAX_STR_DIGITS } from './repr.js'
import { MAX_FLOAT_PRECISION, resolveSpec, showCode, type FormatSpec, type ResolvedSpec } from './spec.js'
import { templateError, type TemplateError, type TemplateValue } from './types.js'

/** A parsed spec with each value type's defaults applied once (or the reason it is invalid for that type). */
export interface PreparedSpec {
  readonly spec: FormatSpec
  readonly int: ResolvedSpec | string
  readonly float: ResolvedSpec | string
  readonly str: ResolvedSpec | string
}

export const prepareSpec = (spec: FormatSpec): PreparedSpec => ({
  spec,
  int: resolveSpec(spec, 'd', '>'),
  float: resolveSpec(spec, '', '>'),
  str: resolveSpec(spec, 's', '<'),
})

const INT_CODES = 'b c d o x X n e E f F g G % or none'
const FLOAT_CODES = 'e E f F g G n % or none'
const INT_ONLY = new Set(['b', 'c', 'd', 'o', 'x', 'X'])
const FLOAT_ONLY = new Set(['e', 'E', 'f', 'F', 'g', 'G', '%', 'n'])

const clip = (s: string): string => (s.length > 60 ? s.slice(0, 57) + '...' : s)

/** "the float 3.5", "the int 3n", "the str "abc"", "the bool true" — for messages. */
export const describeValue = (value: TemplateValue): string => {
  switch (typeof value) {
    case 'bigint':
      return `the int ${clip(value.toString())}n`
    case 'number':
      return `the float ${value}`
    case 'string':
      return `the str ${clip(JSON.stringify(value))}`
    default:
      return `the bool ${value}`
  }
}

const fieldError = (field: string, message: string): TemplateError => templateError(field, `field "${field}": ${message}`)

/**
 * ckpt's cap on what one field, and one rendered template, may produce: far above any file name, far below
 * what would exhaust memory. CPython has no such cap (a width of 4e8 builds a 400 MB string); ckpt refuses
 * a width or a float precision above it, before building anything.
 */
export const MAX_OUTPUT_CHARS = 1_000_000

/** The error for a width or precision over MAX_OUTPUT_CHARS, or null. */
const overLimit = (field: string, what: 'width' | 'precision', n: number): TemplateError | null =>
  n > MAX_OUTPUT_CHARS
    ? fieldError(field, `${what} ${n} is over ckpt's limit of ${MAX_OUTPUT_CHARS} characters for a formatted value`)
    : null

/** A presentation type the value's Python type does not have ('s' on a number gets a hint at !s). */
const unknownCode = (field: string, type: string, original: TemplateValue, typeName: string, codes: string): TemplateError =>
  fieldError(
    field,
    type === 's'
      ? `format code 's' needs a string, got ${describeValue(original)} (use {${field}!s:...} to format its str())`
      : `format code ${showCode(type)} is not valid for ${typeName}; valid codes: ${codes}`,
  )

const specError = (field: string, spec: FormatSpec, message: string): TemplateError =>
  templateError(field, `field "${field}": invalid format spec ${JSON.stringify(spec.source)}: ${message}`)

const digitLimitError = (field: string): TemplateError =>
  templateError(
    field,
    `field "${field}": the int has more than ${INT_MAX_STR_DIGITS} decimal digits, which Python refuses to convert to str (sys.get_int_max_str_digits())`,
  )

/** Python's `format(value, spec)` for one field, or the error Python would raise. */
export const formatWithSpec = (field: string, value: TemplateValue, prepared: PreparedSpec): string | TemplateError => {
  switch (typeof value) {
    case 'number':
      return formatFloat(field, value, value, prepared.float, prepared.spec)
    case 'bigint':
      return formatInt(field, value, value, prepared.int, prepared.spec)
    case 'boolean':
      return formatInt(field, value ? 1n : 0n, value, prepared.int, prepared.spec)
    case 'string':
      return formatStr(field, value, prepared.str, prepared.spec)
    default:
      return badValue(field, value)
  }
}

/** Python's `format(value, '')`, i.e. `str(value)`. */
export const formatEmpty = (field: string, value: TemplateValue): string | TemplateError => {
  const t = typeof value
  if (t !== 'string' && t !== 'number' && t !== 'bigint' && t !== 'boolean') return badValue(field, value)
  const s = convertValue(value, 's')
  return typeof s === 'string' ? s : digitLimitError(field)
}

export const badValue = (field: string, value: unknown): TemplateError =>
  templateError(
    field,
    `field "${field}": values must be bigint (int), number (float), string (str) or boolean (bool), got ${value === null ? 'null' : typeof value}`,
  )

const formatInt = (
  field: string,
  n: bigint,
  original: TemplateValue,
  rs: ResolvedSpec | string,
  spec: FormatSpec,
): string | TemplateError => {
  if (typeof rs === 'string') return specError(field, spec, rs)
  const type = rs.type
  if (FLOAT_ONLY.has(type) && type !== 'n') {
    const x = Number(n)
    if (!Number.isFinite(x))
      return fieldError(
        field,
        `format code ${showCode(type)} converts the int to a float, but ${describeValue(original)} is too large for a float`,
      )
    return formatFloat(field, x, original, rs, spec)
  }
  if (!INT_ONLY.has(type) && type !== 'n') return unknownCode(field, type, original, 'an int', INT_CODES)
  if (rs.precision !== -1) return fieldError(field, `precision is not allowed with integer format code ${showCode(type)}`)
  if (rs.noNegZero) return fieldError(field, `'z' (negative zero coercion) is only allowed for floats, got ${describeValue(original)}`)
  const tooWide = overLimit(field, 'width', rs.width)
  if (tooWide !== null) return tooWide
  if (type === 'c') {
    if (rs.sign !== null) return fieldError(field, "a sign is not allowed with format code 'c'")
    if (rs.alternate) return fieldError(field, "'#' is not allowed with format code 'c'")
    if (n < 0n || n > 0x10ffffn) return fieldError(field, `format code 'c' needs an int in range(0x110000), got ${describeValue(original)}`)
    return layoutNumber(rs, false, '', '', false, String.fromCodePoint(Number(n)), 1, '', false)
  }
  const base = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10
  const negative = n < 0n
  const abs = negative ? -n : n
  if (base === 10 && exceedsDigitLimit(abs)) return digitLimitError(field)
  const digits = abs.toString(base)
  const prefix = rs.alternate ? (base === 2 ? '0b' : base === 8 ? '0o' : base === 16 ? '0x' : '') : ''
  return layoutNumber(rs, negative, prefix, digits, false, '', 0, type === 'n' ? '' : (rs.grouping ?? ''), type === 'X')
}

const formatFloat = (
  field: string,
  x: number,
  original: TemplateValue,
  rs: ResolvedSpec | string,
  spec: FormatSpec,
): string | TemplateError => {
  if (typeof rs === 'string') return specError(field, spec, rs)
  let type = rs.type
  if (!FLOAT_ONLY.has(type) && type !== '') {
    if (INT_ONLY.has(type) && typeof original === 'number')
      return fieldError(
        field,
        `format code ${showCode(type)} needs an integer, got ${describeValue(original)}` +
          (Number.isFinite(original) ? ` (pass integers as bigint, e.g. ${Math.trunc(original).toFixed(0)}n)` : ''),
      )
    return unknownCode(field, type, original, 'a float', FLOAT_CODES)
  }
  let precision = rs.precision
  if (precision > MAX_FLOAT_PRECISION) return fieldError(field, `precision ${precision} is too big (at most ${MAX_FLOAT_PRECISION})`)
  const tooWide = overLimit(field, 'width', rs.width)
  if (tooWide !== null) return tooWide
  let addDot0 = false
  let percent = false
  if (type === '') {
    addDot0 = true
    type = precision < 0 ? 'r' : 'g'
    if (precision < 0) precision = 0
  } else {
    if (type === 'n') type = 'g'
    else if (type === '%') {
      type = 'f'
      x *= 100
      percent = true
    }
    if (precision < 0) precision = 6
  }
  // 'e' and 'f' write `precision` digits, and '#' keeps a 'g''s trailing zeros; a plain 'g' stops at the double's own digits
  if (type === 'e' || type === 'E' || type === 'f' || type === 'F' || rs.alternate) {
    const tooPrecise = overLimit(field, 'precision', precision)
    if (tooPrecise !== null) return tooPrecise
  }
  let body =
    (type === 'f' && fixedFast(x, precision, rs.alternate, rs.noNegZero)) ||
    doubleToString(x, {
      code: type as 'e' | 'f' | 'g' | 'r' | 'E' | 'F' | 'G',
      precision,
      addDot0,
      alternate: rs.alternate,
      noNegZero: rs.noNegZero,
    })
  if (percent) body += '%'
  // CPython's fast path: nothing to pad, group or sign.
  if (rs.width < 0 && rs.grouping === null && rs.sign !== '+' && rs.sign !== ' ') return body
  const negative = body.charCodeAt(0) === 45
  const start = negative ? 1 : 0
  let i = start
  while (i < body.length) {
    const c = body.charCodeAt(i)
    if (c < 48 || c > 57) break
    i++
  }
  const hasDecimal = body.charCodeAt(i) === 46
  const remainder = body.slice(hasDecimal ? i + 1 : i)
  return layoutNumber(
    rs,
    negative,
    '',
    body.slice(start, i),
    hasDecimal,
    remainder,
    remainder.length,
    rs.type === 'n' ? '' : (rs.grouping ?? ''),
    false,
  )
}

/** Code points in s (a lone surrogate counts as one, as in a Python str decoded from JSON). */
export const codePointLength = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

const formatStr = (field: string, s: string, rs: ResolvedSpec | string, spec: FormatSpec): string | TemplateError => {
  if (typeof rs === 'string') return specError(field, spec, rs)
  if (rs.type !== 's')
    return fieldError(
      field,
      FLOAT_ONLY.has(rs.type) || INT_ONLY.has(rs.type)
        ? `format code ${showCode(rs.type)} needs a number, got ${describeValue(s)}`
        : `format code ${showCode(rs.type)} is not valid for a str; valid codes: s or none`,
    )
  if (rs.sign !== null) return fieldError(field, `a sign ('${rs.sign}') is not allowed for a str, got ${describeValue(s)}`)
  if (rs.noNegZero) return fieldError(field, `'z' (negative zero coercion) is only allowed for floats, got ${describeValue(s)}`)
  if (rs.alternate) return fieldError(field, `'#' (alternate form) is not allowed for a str, got ${describeValue(s)}`)
  if (rs.align === '=') return fieldError(field, `'=' alignment is only allowed for numbers, got ${describeValue(s)}`)
  if (rs.width < 0 && rs.precision < 0) return s
  const tooWide = overLimit(field, 'width', rs.width)
  if (tooWide !== null) return tooWide
  let len = codePointLength(s)
  if (rs.precision >= 0 && len > rs.precision) {
    s = len === s.length ? s.slice(0, rs.precision) : Array.from(s).slice(0, rs.precision).join('')
    len = rs.precision
  }
  return padString(s, len, rs)
}
