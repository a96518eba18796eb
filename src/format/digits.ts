/**
 * Decimal digits of a double, as David Gay's `_Py_dg_dtoa` returns them to CPython:
 * a digit string without leading or trailing zeros, and `decpt`, the position of the decimal
 * point relative to the digits' start (value = 0.DIGITS × 10^decpt). Zero is `"0"` with decpt 1.
 * Rounding is correct, ties to even, as in CPython. JS's toFixed/toExponential are used where
 * they are provably the same (correctly rounded, and no exact tie, where JS rounds half up);
 * otherwise the exact value of the double is expanded with BigInt arithmetic.
 */
export interface Digits {
  readonly digits: string
  readonly decpt: number
}

const ZERO: Digits = { digits: '0', decpt: 1 }

const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)

/** x = mantissa × 2^exponent exactly, for finite positive x. */
const decompose = (x: number): { readonly mantissa: bigint; readonly exponent: number } => {
  f64[0] = x
  const bits = u64[0]!
  const biased = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & 0xfffffffffffffn
  return biased === 0 ? { mantissa: fraction, exponent: -1074 } : { mantissa: fraction | 0x10000000000000n, exponent: biased - 1075 }
}

const pow10Cache: bigint[] = []
const pow10 = (n: number): bigint => {
  if (n < 64) return (pow10Cache[n] ??= 10n ** BigInt(n))
  return 10n ** BigInt(n)
}

/** round-half-even(num / 2^shift) for shift >= 0. */
const roundShift = (num: bigint, shift: number): bigint => {
  if (shift <= 0) return num << BigInt(-shift)
  const s = BigInt(shift)
  const q = num >> s
  const r = num - (q << s)
  const half = 1n << (s - 1n)
  return r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q
}

/** round-half-even(num / den). */
const roundDiv = (num: bigint, den: bigint): bigint => {
  const q = num / den
  const r2 = (num - q * den) * 2n
  return r2 > den || (r2 === den && (q & 1n) === 1n) ? q + 1n : q
}

/** Builds Digits from an integer D and the power of ten it is scaled by: value ≈ D × 10^-scale. */
const fromScaled = (d: bigint, scale: number, emptyDecpt: number): Digits => {
  if (d === 0n) return { digits: '', decpt: emptyDecpt }
  let s = d.toString()
  const decpt = s.length - scale
  let end = s.length
  while (end > 1 && s.charCodeAt(end - 1) === 48) end--
  if (end !== s.length) s = s.slice(0, end)
  return { digits: s, decpt }
}

/** Digits of a JS decimal rendering such as "123.45", "0.001", "1.5e-7", "1e+21" (no sign). */
const fromJs = (s: string): Digits => {
  let e = s.indexOf('e')
  let exp = 0
  if (e >= 0) {
    exp = +s.slice(e + 1)
  } else e = s.length
  const dot = s.indexOf('.')
  let intLen: number
  let raw: string
  if (dot >= 0 && dot < e) {
    intLen = dot
    raw = s.slice(0, dot) + s.slice(dot + 1, e)
  } else {
    intLen = e
    raw = s.slice(0, e)
  }
  let start = 0
  while (start < raw.length && raw.charCodeAt(start) === 48) start++
  let end = raw.length
  while (end > start && raw.charCodeAt(end - 1) === 48) end--
  if (start === end) return { digits: '', decpt: 0 }
  return { digits: raw.slice(start, end), decpt: intLen + exp - start }
}

/** Shortest digits that round-trip (dtoa mode 0), from JS's Number-to-String (same algorithm contract). */
export const shortestDigits = (x: number): Digits => (x === 0 ? ZERO : fromJs(String(x)))

/**
 * Whether x·10^k could sit exactly halfway between two integers for some k ≤ log2 bound `k2`:
 * a necessary condition for a tie is that x·2^k2 is an integer.
 */
const POW2 = Float64Array.from({ length: 128 }, (_, k) => 2 ** k)
export const mayTie = (x: number, k2: number): boolean => {
  const t = x * (k2 >= 0 && k2 < 128 ? POW2[k2]! : 2 ** k2)
  return !Number.isFinite(t) || Number.isInteger(t)
}

/** dtoa mode 3: digits rounded to `ndigits` places after the decimal point. x > 0 or 0. */
export const fixedDigits = (x: number, ndigits: number): Digits => {
  if (x === 0) return ZERO
  if (ndigits <= 100 && x < 1e21 && !mayTie(x, ndigits + 1)) {
    const d = fromJs(x.toFixed(ndigits))
    return d.digits === '' ? { digits: '', decpt: -ndigits } : d
  }
  // A double has at most 1074 digits after the point: beyond that the digits are exact zeros.
  const n = Math.min(ndigits, 1100)
  const { mantissa, exponent } = decompose(x)
  const scaled = exponent >= 0 ? (mantissa << BigInt(exponent)) * pow10(n) : roundShift(mantissa * pow10(n), -exponent)
  const d = fromScaled(scaled, n, -ndigits)
  return d
}

/** floor(log10(x)) exactly, for finite x > 0. */
const exponent10 = (mantissa: bigint, exponent: number, estimate: number): number => {
  // compare mantissa·2^exponent with 10^k
  const cmp = (k: number): number => {
    let a = mantissa
    let b = 1n
    if (exponent >= 0) a <<= BigInt(exponent)
    else b <<= BigInt(-exponent)
    if (k >= 0) b *= pow10(k)
    else a *= pow10(-k)
    return a < b ? -1 : a > b ? 1 : 0
  }
  let k = estimate
  while (cmp(k) < 0) k--
  while (cmp(k + 1) >= 0) k++
  return k
}

/** dtoa mode 2: `ndigits` (≥ 1) significant digits. */
export const significantDigits = (x: number, ndigits: number): Digits => {
  if (x === 0) return ZERO
  if (ndigits <= 101) {
    const s = x.toExponential(ndigits - 1)
    const k = +s.slice(s.indexOf('e') + 1)
    if (!mayTie(x, ndigits - k + 1)) return fromJs(s)
  }
  // A double has at most 767 significant digits: beyond that the digits are exact zeros.
  const n = Math.min(ndigits, 800)
  const { mantissa, exponent } = decompose(x)
  const k = exponent10(mantissa, exponent, Math.floor(Math.log10(x)))
  const shift = n - 1 - k // scale by 10^shift
  let num = mantissa
  let den = 1n
  if (shift >= 0) num *= pow10(shift)
  else den = pow10(-shift)
  let d: bigint
  if (exponent >= 0) d = roundDiv(num << BigInt(exponent), den)
  else if (den === 1n) d = roundShift(num, -exponent)
  else d = roundDiv(num, den << BigInt(-exponent))
  let decpt = k + 1
  if (d === pow10(n)) {
    d = pow10(n - 1)
    decpt++
  }
  const r = fromScaled(d, 0, 0)
  return { digits: r.digits, decpt }
}
