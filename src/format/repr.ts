import { floatRepr } from './float-short.js'
import type { TemplateValue } from './types.js'
import { isPrintable } from './unicode-tables.js'

/** CPython 3.11's default `sys.get_int_max_str_digits()`: int ↔ decimal str conversions beyond it raise ValueError. */
export const INT_MAX_STR_DIGITS = 4300

let decimalLimit: bigint | undefined
/** Whether |n| has more decimal digits than CPython converts to str by default. */
export const exceedsDigitLimit = (n: bigint): boolean => (n < 0n ? -n : n) >= (decimalLimit ??= 10n ** BigInt(INT_MAX_STR_DIGITS))

const hex = (cp: number, width: number): string => cp.toString(16).padStart(width, '0')

const escapeNonAscii = (cp: number): string => (cp <= 0xff ? '\\x' + hex(cp, 2) : cp <= 0xffff ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8))

/** Python's `repr(str)`; with `ascii`, Python's `ascii(str)` (non-ASCII escaped too). */
export const strRepr = (s: string, ascii: boolean): string => {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (cp === 9) out += '\\t'
    else if (cp === 10) out += '\\n'
    else if (cp === 13) out += '\\r'
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2)
    else if (cp < 0x7f) out += ch
    else if (!ascii && isPrintable(cp)) out += ch
    else out += escapeNonAscii(cp)
  }
  return out + quote
}

/** Python's `str(value)` / `repr(value)` / `ascii(value)` for the template value types, or an error message. */
export const convertValue = (value: TemplateValue, conversion: 's' | 'r' | 'a'): string | { readonly tooManyDigits: true } => {
  switch (typeof value) {
    case 'string':
      return conversion === 's' ? value : strRepr(value, conversion === 'a')
    case 'bigint':
      return exceedsDigitLimit(value) ? { tooManyDigits: true } : value.toString()
    case 'number':
      return floatRepr(value)
    default:
      return value ? 'True' : 'False'
  }
}
