import type { ResolvedSpec } from './spec.js'

/**
 * CPython's `_PyUnicode_InsertThousandsGrouping`: groups `digits` from the right with `sep` every
 * `size` digits, left-padding with zeros (and separators) until `minWidth` characters are used.
 * An empty `sep` means no grouping (zero padding only).
 */
export const groupDigits = (digits: string, minWidth: number, sep: string, size: number): string => {
  let minW = minWidth > 0 ? minWidth : 0
  let remaining = digits.length
  if (sep === '') {
    const len = Math.max(remaining, minW, 1)
    return len > remaining ? '0'.repeat(len - remaining) + digits : digits
  }
  let out = ''
  let useSep = false
  for (;;) {
    const len = Math.min(size, Math.max(remaining, minW, 1))
    const nZeros = Math.max(0, len - remaining)
    const nChars = Math.max(0, Math.min(remaining, len))
    out = (nZeros > 0 ? '0'.repeat(nZeros) : '') + digits.slice(remaining - nChars, remaining) + (useSep ? sep : '') + out
    useSep = true
    remaining -= nChars
    minW -= len
    if (remaining <= 0 && minW <= 0) return out
    minW -= sep.length
  }
}

const fillN = (fill: string, n: number): string => (n <= 0 ? '' : n === 1 ? fill : fill.repeat(n))

/**
 * CPython's calc_number_widths + fill_number:
 * `<lpad><sign><prefix><spad><grouped digits><decimal point><remainder><rpad>`.
 * `negative` is whether the formatted number carries a minus sign; `remainderLength` counts code points.
 * `grouping` is the separator ('' for none); `upper` upper-cases prefix and digits (type 'X').
 */
export const layoutNumber = (
  spec: ResolvedSpec,
  negative: boolean,
  prefix: string,
  digits: string,
  hasDecimal: boolean,
  remainder: string,
  remainderLength: number,
  grouping: string,
  upper: boolean,
): string => {
  const sign = negative ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : ''
  const nonDigit = sign.length + prefix.length + (hasDecimal ? 1 : 0) + remainderLength
  const width = spec.width
  const minWidth = spec.fill === '0' && spec.align === '=' ? width - nonDigit : 0
  let grouped =
    digits.length === 0 || (grouping === '' && minWidth <= digits.length) ? digits : groupDigits(digits, minWidth, grouping, spec.groupSize)
  if (upper) {
    prefix = prefix.toUpperCase()
    grouped = grouped.toUpperCase()
  }
  const body = grouped + (hasDecimal ? '.' : '') + remainder
  const padding = width - (nonDigit + grouped.length)
  if (padding <= 0) return sign + prefix + body
  switch (spec.align) {
    case '<':
      return sign + prefix + body + fillN(spec.fill, padding)
    case '^': {
      const left = padding >> 1
      return fillN(spec.fill, left) + sign + prefix + body + fillN(spec.fill, padding - left)
    }
    case '=':
      return sign + prefix + fillN(spec.fill, padding) + body
    default:
      return fillN(spec.fill, padding) + sign + prefix + body
  }
}

/** CPython's format_string_internal padding for a string of `length` code points. */
export const padString = (s: string, length: number, spec: ResolvedSpec): string => {
  if (spec.width <= length) return s
  const total = spec.width - length
  const left = spec.align === '>' ? total : spec.align === '^' ? total >> 1 : 0
  return fillN(spec.fill, left) + s + fillN(spec.fill, total - left)
}
