import * as E from '#fp-ts/Either.js'

/**
 * A strict JSON (RFC 8259) syntax tree that keeps what `JSON.parse` loses: every object entry in
 * order, duplicates included, and each number's source text. Values carry their source position.
 */
export type JsonValue =
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonValue]>; readonly at: number }
  | { readonly kind: 'array'; readonly items: ReadonlyArray<JsonValue>; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly raw: string; readonly at: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly at: number }
  | { readonly kind: 'null'; readonly at: number }

export interface JsonSyntaxError {
  readonly position: number
  readonly problem: string
}

/** Nesting deeper than this is refused (serde_json's default recursion limit). */
export const MAX_JSON_DEPTH = 128

class Stop extends Error {
  constructor(readonly error: JsonSyntaxError) {
    super(error.problem)
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
// eslint-disable-next-line no-control-regex -- the control characters are the point: JSON strings may not hold them raw
const PLAIN = /[^"\\\u0000-\u001f]*/y
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

/**
 * Parses one JSON document; whitespace may surround it, nothing else may follow it.
 * Rejects lone surrogate escapes, raw control characters in strings and nesting past {@link MAX_JSON_DEPTH}.
 */
export const parseJson = (text: string): E.Either<JsonSyntaxError, JsonValue> => {
  let i = 0
  const fail = (problem: string, at = i): never => {
    throw new Stop({ position: at, problem })
  }
  const skipSpace = (): void => {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++
  }
  const expect = (literal: string): void => {
    if (!text.startsWith(literal, i)) fail(`expected ${JSON.stringify(literal)}`)
    i += literal.length
  }
  const hex4 = (): number => {
    const digits = text.slice(i, i + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail('expected 4 hex digits after \\u')
    i += 4
    return parseInt(digits, 16)
  }
  const parseString = (): string => {
    i++ // opening quote
    let out = ''
    for (;;) {
      PLAIN.lastIndex = i
      PLAIN.test(text)
      out += text.slice(i, PLAIN.lastIndex)
      i = PLAIN.lastIndex
      if (i >= text.length) fail('unterminated string')
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return out
      }
      if (c !== 0x5c) fail('control character in string')
      i++
      const e = text[i++]
      switch (e) {
        case '"':
          out += '"'
          break
        case '\\':
          out += '\\'
          break
        case '/':
          out += '/'
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'u': {
          const unit = hex4()
          if (unit >= 0xdc00 && unit <= 0xdfff) fail('lone low surrogate in \\u escape', i - 6)
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (!text.startsWith('\\u', i)) fail('lone high surrogate in \\u escape', i - 6)
            i += 2
            const low = hex4()
            if (low < 0xdc00 || low > 0xdfff) fail('lone high surrogate in \\u escape', i - 12)
            out += String.fromCharCode(unit, low)
          } else out += String.fromCharCode(unit)
          break
        }
        default:
          fail('invalid escape in string', i - 2)
      }
    }
  }
  const parseValue = (depth: number): JsonValue => {
    skipSpace()
    const at = i
    const c = text[i]
    switch (c) {
      case '{': {
        if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`)
        i++
        const entries: Array<readonly [string, JsonValue]> = []
        skipSpace()
        if (text[i] === '}') {
          i++
          return { kind: 'object', entries, at }
        }
        for (;;) {
          skipSpace()
          if (text[i] !== '"') fail('expected a string key')
          const key = parseString()
          skipSpace()
          expect(':')
          entries.push([key, parseValue(depth + 1)])
          skipSpace()
          if (text[i] === ',') i++
          else if (text[i] === '}') {
            i++
            return { kind: 'object', entries, at }
          } else fail("expected ',' or '}'")
        }
      }
      case '[': {
        if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH}`)
        i++
        const items: JsonValue[] = []
        skipSpace()
        if (text[i] === ']') {
          i++
          return { kind: 'array', items, at }
        }
        for (;;) {
          items.push(parseValue(depth + 1))
          skipSpace()
          if (text[i] === ',') i++
          else if (text[i] === ']') {
            i++
            return { kind: 'array', items, at }
          } else fail("expected ',' or ']'")
        }
      }
      case '"':
        return { kind: 'string', value: parseString(), at }
      case 't':
        expect('true')
        return { kind: 'boolean', value: true, at }
      case 'f':
        expect('false')
        return { kind: 'boolean', value: false, at }
      case 'n':
        expect('null')
        return { kind: 'null', at }
      default: {
        NUMBER.lastIndex = i
        if (!NUMBER.test(text)) return fail(i >= text.length ? 'unexpected end of input' : 'expected a value')
        i = NUMBER.lastIndex
        return { kind: 'number', raw: text.slice(at, i), at }
      }
    }
  }
  try {
    const value = parseValue(0)
    skipSpace()
    if (i < text.length) fail('trailing characters after the JSON value')
    return E.right(value)
  } catch (e) {
    if (e instanceof Stop) return E.left(e.error)
    throw e
  }
}

/** A short description of a JSON value's kind, for error messages. */
export const describeJson = (v: JsonValue): string => {
  switch (v.kind) {
    case 'object':
      return 'an object'
    case 'array':
      return `an array of ${v.items.length}`
    case 'string':
      return JSON.stringify(v.value.length > 80 ? `${v.value.slice(0, 80)}…` : v.value)
    case 'number':
      return v.raw.length > 40 ? `${v.raw.slice(0, 40)}…` : v.raw
    case 'boolean':
      return String(v.value)
    case 'null':
      return 'null'
  }
}
