import * as E from '#fp-ts/Either.js'

/**
 * `max_shard_size` as Hugging Face parses it: `huggingface_hub.serialization._base.parse_size_to_int`, which
 * `split_torch_state_dict_into_shards`, `save_torch_state_dict` and transformers' `save_pretrained` all use.
 * Decimal units only: "5GB" is 5 * 10^9 bytes, "500MB" 5 * 10^8, "1.5KB" 1500; "5GiB" is refused, as there.
 * The rule, exactly: strip Python whitespace; the last two characters, upper-cased, are TB, GB, MB or KB; the
 * rest is Python's `float()` (sign, `_` between digits, exponents, any Unicode decimal digit, "inf", "nan");
 * the size is `int(value * unit)`, truncated toward zero.
 */

const UNITS: Readonly<Record<string, number>> = { TB: 1e12, GB: 1e9, MB: 1e6, KB: 1e3 }

/** Python's `str.isspace()` characters (`str.strip()` removes them): JavaScript's `trim` differs on U+001C-U+001F, U+0085 and U+FEFF. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g')
const PY_SPACE_CHAR = new RegExp(`^[${PY_SPACE}]$`)
const DECIMAL_DIGIT = /^\p{Nd}$/u

/** A Unicode decimal digit's value: digits come in runs of ten from 0 to 9, and a run of runs starts at a zero. */
const digitValue = (cp: number): number => {
  let start = cp
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--
  return (cp - start) % 10
}

/** What CPython's `float()` does first: Unicode spaces become ' ', Unicode digits ASCII; null if another non-ASCII character remains. */
const toAscii = (s: string): string | null => {
  let out = ''
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x80) out += ch
    else if (PY_SPACE_CHAR.test(ch)) out += ' '
    else if (DECIMAL_DIGIT.test(ch)) out += String(digitValue(cp))
    else return null
  }
  return out
}

const DIGITS = '\\d(?:_?\\d)*'
const FLOAT = new RegExp(`^[+-]?(?:(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, 'i')

/** Python's `float(text)`, or null where it raises ValueError. */
const pythonFloat = (text: string): number | null => {
  const ascii = toAscii(text)
  if (ascii === null) return null
  const s = ascii
  if (!FLOAT.test(s)) return null
  const lower = s.toLowerCase().replace(/^[+-]/, '')
  const sign = s.startsWith('-') ? -1 : 1
  if (lower === 'nan') return NaN
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity
  return Number(s.replaceAll('_', ''))
}

const ACCEPTED = 'a positive whole number of bytes, or a string such as "5GB", "500MB" or "1.5KB" (units TB, GB, MB, KB: powers of 1000)'

/** The accepted forms, for error messages. */
export const SHARD_SIZE_ACCEPTED = ACCEPTED

/**
 * `parse_size_to_int(size)` for a string, the number itself for a number. Left is why it is refused. Where Python
 * would give 0, a negative size or raise (NaN, infinity), ckpt refuses: HF would then put every tensor in a shard of
 * its own, which no one asks for.
 */
export const parseShardSize = (size: unknown): E.Either<string, number> => {
  if (typeof size === 'number') {
    if (Number.isSafeInteger(size) && size > 0) return E.right(size)
    return E.left(`${String(size)} is not a positive whole number of bytes`)
  }
  if (typeof size !== 'string') return E.left(`a ${size === null ? 'null' : typeof size} is neither a number nor a string`)
  const s = size.replace(PY_STRIP, '')
  const unit = UNITS[s.slice(-2).toUpperCase()]
  // Only ASCII letters upper-case to T, G, M, K and B, so a unit is two ASCII characters, in both languages.
  if (unit === undefined || !/^[\x20-\x7e]{2}$/.test(s.slice(-2)))
    return E.left(`"${size}" does not end in a unit TB, GB, MB or KB (huggingface_hub's units; "GiB" is not one)`)
  const number = s.slice(0, -2).replace(PY_STRIP, '')
  const value = pythonFloat(number)
  if (value === null) return E.left(`"${size}": "${number}" is not a number Python's float() reads`)
  const bytes = Math.trunc(value * unit)
  if (!Number.isFinite(bytes) || !(bytes > 0))
    return E.left(`"${size}" is ${Number.isNaN(bytes) ? 'not a number' : `${bytes} bytes`}, not a positive size`)
  return E.right(bytes)
}
