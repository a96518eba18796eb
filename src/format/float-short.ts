import { fixedDigits, mayTie, shortestDigits, significantDigits, type Digits } from './digits.js'

/** Options of CPython's `PyOS_double_to_string` (Python/pystrtod.c). */
export interface DoubleToStringOptions {
  /** 'e' | 'f' | 'g' | 'r' (repr), or upper case E/F/G. */
  readonly code: 'e' | 'f' | 'g' | 'r' | 'E' | 'F' | 'G'
  readonly precision: number
  readonly addDot0: boolean
  readonly alternate: boolean
  readonly noNegZero: boolean
}

const zeros = (n: number): string => (n > 0 ? '0'.repeat(n) : '')

/**
 * CPython's `PyOS_double_to_string(val, code, precision, flags)`: the digits laid out with an
 * optional exponent, a leading '-' for negatives (including -0), 'inf'/'nan' for non-finite values.
 */
export const doubleToString = (x: number, o: DoubleToStringOptions): string => {
  const upper = o.code === 'E' || o.code === 'F' || o.code === 'G'
  const code = upper ? (o.code.toLowerCase() as 'e' | 'f' | 'g') : o.code
  if (x !== x) return upper ? 'NAN' : 'nan'
  let negative = x < 0 || (x === 0 && 1 / x < 0)
  if (x === Infinity || x === -Infinity) return (negative ? '-' : '') + (upper ? 'INF' : 'inf')
  const a = negative ? -x : x
  let precision = o.precision
  let d: Digits
  switch (code) {
    case 'e':
      precision++
      d = significantDigits(a, precision)
      break
    case 'f':
      d = fixedDigits(a, precision)
      break
    case 'g':
      if (precision === 0) precision = 1
      d = significantDigits(a, precision)
      break
    default:
      d = shortestDigits(a)
  }
  const digits = d.digits
  const digitsLen = digits.length
  let decpt = d.decpt
  if (o.noNegZero && negative && (digitsLen === 0 || digits === '0')) negative = false

  let vEnd = digitsLen
  let useExp = false
  switch (code) {
    case 'e':
      useExp = true
      vEnd = precision
      break
    case 'f':
      vEnd = decpt + precision
      break
    case 'g':
      if (decpt <= -4 || decpt > (o.addDot0 ? precision - 1 : precision)) useExp = true
      if (o.alternate) vEnd = precision
      break
    default:
      if (decpt <= -4 || decpt > 16) useExp = true
  }
  let exp = 0
  if (useExp) {
    exp = decpt - 1
    decpt = 1
  }
  const vStart = decpt <= 0 ? decpt - 1 : 0
  if (!useExp && o.addDot0) vEnd = vEnd > decpt ? vEnd : decpt + 1
  else vEnd = vEnd > decpt ? vEnd : decpt

  let out = negative ? '-' : ''
  if (decpt <= 0) out += zeros(decpt - vStart) + '.' + zeros(-decpt)
  else out += zeros(-vStart)
  if (decpt > 0 && decpt <= digitsLen) out += digits.slice(0, decpt) + '.' + digits.slice(decpt)
  else out += digits
  if (digitsLen < decpt) out += zeros(decpt - digitsLen) + '.' + zeros(vEnd - decpt)
  else out += zeros(vEnd - digitsLen)
  if (out.charCodeAt(out.length - 1) === 46 && !o.alternate) out = out.slice(0, -1)
  if (useExp) {
    const e = exp < 0 ? -exp : exp
    out += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + (e < 10 ? '0' + e : String(e))
  }
  return out
}

/** Python's `repr(float)`: shortest round-trip digits, exponent when the decimal exponent is < -4 or ≥ 16. */
export const floatRepr = (x: number): string => {
  const a = x < 0 ? -x : x
  // Where both use plain notation, JS's shortest digits are Python's; Python adds '.0' to integers.
  if (a >= 1e-4 && a < 1e16) {
    const s = String(x)
    return s.includes('.') ? s : s + '.0'
  }
  return doubleToString(x, REPR)
}

const REPR: DoubleToStringOptions = { code: 'r', precision: 0, addDot0: true, alternate: false, noNegZero: false }

/**
 * `doubleToString` for code 'f' where JS's toFixed is exact (see digits.ts), else null:
 * precision ≤ 100, |x| < 1e21 and no decimal tie at the rounding position.
 */
export const fixedFast = (x: number, precision: number, alternate: boolean, noNegZero: boolean): string | null => {
  let negative = x < 0 || (x === 0 && 1 / x < 0)
  const a = negative ? -x : x
  if (!(a < 1e21) || precision > 100 || mayTie(a, precision + 1)) return null
  let body = a.toFixed(precision)
  if (alternate && precision === 0) body += '.'
  if (negative && noNegZero && /^[0.]*$/.test(body)) negative = false
  return negative ? '-' + body : body
}
