/**
 * Python's literal syntaxes, as `int(s)` and `float(s)` accept them: optional surrounding whitespace,
 * a sign, digits with single underscores between them; floats also take `nan`, `inf`, `infinity`
 * (any case) and an exponent.
 */
const DIGITS = String.raw`\d(?:_?\d)*`
const INT = new RegExp(String.raw`^\s*[+-]?${DIGITS}\s*$`)
const FLOAT = new RegExp(
  String.raw`^\s*[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|nan|inf|infinity)\s*$`,
  'i',
)

/** `int(s)` in Python: the value as a bigint, or null when Python would raise ValueError. */
export const parsePythonInt = (s: string): bigint | null => (INT.test(s) ? BigInt(s.trim().replace(/_/g, '')) : null)

/** `float(s)` in Python: the value, or null when Python would raise ValueError. Overflow gives ±inf, as in Python. */
export const parsePythonFloat = (s: string): number | null => {
  if (!FLOAT.test(s)) return null
  const t = s.trim().replace(/_/g, '').toLowerCase()
  const sign = t.startsWith('-') ? -1 : 1
  const body = t.replace(/^[+-]/, '')
  if (body === 'nan') return NaN
  if (body === 'inf' || body === 'infinity') return sign * Infinity
  return Number(t)
}

/** True when `s` is written as an integer (no dot, exponent, nan or inf): the `ckpt format` rule for ints. */
export const isIntLiteral = (s: string): boolean => INT.test(s)
