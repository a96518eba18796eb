/**
 * Python's literal syntaxes, as `int(s)` and `float(s)` accept them: optional surrounding whitespace,
 * a sign, digits with single underscores between them; floats also take `nan`, `inf`, `infinity`
 * (any case) and an exponent.
 */
/**
 * Digits and underscores as one flat character class: a greedy loop that V8 runs without a backtracking
 * frame per character, so a 10M-digit value neither overflows the stack nor takes seconds. The underscore
 * rule (only single underscores between digits) is checked separately by `BAD_UNDERSCORE`.
 */
const DIGITS = String.raw`\d[\d_]*`
const INT = new RegExp(String.raw`^\s*[+-]?${DIGITS}\s*$`)
const FLOAT = new RegExp(
  String.raw`^\s*[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|nan|inf|infinity)\s*$`,
  'i',
)
/** An underscore not between two digits (leading, trailing, doubled, next to '.', 'e' or a sign). */
const BAD_UNDERSCORE = /_(?!\d)|(?<!\d)_/

/** `int(s)` in Python: the value as a bigint, or null when Python would raise ValueError. */
export const parsePythonInt = (s: string): bigint | null =>
  INT.test(s) && !BAD_UNDERSCORE.test(s) ? BigInt(s.trim().replace(/_/g, '')) : null

/** `float(s)` in Python: the value, or null when Python would raise ValueError. Overflow gives ±inf, as in Python. */
export const parsePythonFloat = (s: string): number | null => {
  if (!FLOAT.test(s) || BAD_UNDERSCORE.test(s)) return null
  const t = s.trim().replace(/_/g, '').toLowerCase()
  const sign = t.startsWith('-') ? -1 : 1
  const body = t.replace(/^[+-]/, '')
  if (body === 'nan') return NaN
  if (body === 'inf' || body === 'infinity') return sign * Infinity
  return Number(t)
}

/** True when `s` is written as an integer (no dot, exponent, nan or inf): the `ckpt format` rule for ints. */
export const isIntLiteral = (s: string): boolean => INT.test(s) && !BAD_UNDERSCORE.test(s)
