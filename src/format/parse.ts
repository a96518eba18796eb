import { prepareSpec, type PreparedSpec } from './format-value.js'
import { parseSpec } from './spec.js'
import { templateError, type TemplateError } from './types.js'
import { decimalValue } from './unicode-tables.js'

/** How a field's format spec is known: absent, fixed at compile time, or built from nested fields at render time. */
export type CompiledSpec =
  | { readonly _tag: 'Empty' }
  | { readonly _tag: 'Static'; readonly prepared: PreparedSpec }
  | { readonly _tag: 'Nested'; readonly parts: ReadonlyArray<Part> }

export interface FieldPart {
  readonly _tag: 'Field'
  readonly name: string
  readonly conversion: 's' | 'r' | 'a' | null
  readonly spec: CompiledSpec
}

export interface LiteralPart {
  readonly _tag: 'Literal'
  readonly text: string
}

export type Part = LiteralPart | FieldPart

/** CPython's top-level recursion depth for `str.format` (a spec may hold fields, those fields' specs may not). */
const MAX_DEPTH = 2

const EMPTY: CompiledSpec = { _tag: 'Empty' }

const syntaxError = (message: string, source: string, at: number): TemplateError =>
  templateError(null, `template ${JSON.stringify(source)}: ${message} at position ${at}`)

/** Whether CPython would take a field name as positional: empty, or all decimal digits. */
const isPositional = (name: string): boolean => {
  for (const ch of name) if (decimalValue(ch.codePointAt(0)!) < 0) return false
  return true
}

/**
 * Compiles `source[start, end)` exactly as CPython's MarkupIterator / parse_field / build_string
 * read it, with `depth` levels of nesting left.
 */
const compileRange = (source: string, start: number, end: number, depth: number, fields: string[]): Part[] | TemplateError => {
  if (depth <= 0)
    return syntaxError('format specs nest too deeply (a field inside a format spec may not have fields in its own spec)', source, start)
  const parts: Part[] = []
  let literal = ''
  let pos = start
  while (pos < end) {
    const litStart = pos
    let c = ''
    let markup = false
    while (pos < end) {
      c = source[pos++]!
      if (c === '{' || c === '}') {
        markup = true
        break
      }
    }
    const atEnd = pos >= end
    let len = pos - litStart
    if (c === '}' && (atEnd || source[pos] !== '}')) return syntaxError("single '}' (write '}}' for a literal brace)", source, pos - 1)
    if (atEnd && c === '{') return syntaxError("single '{' at the end (write '{{' for a literal brace)", source, pos - 1)
    if (!atEnd) {
      if (source[pos] === c) {
        pos++
        markup = false
      } else len--
    }
    literal += source.slice(litStart, litStart + len)
    if (!markup) continue
    // parse_field
    const fieldStart = pos
    const nameStart = pos
    c = ''
    while (pos < end) {
      c = source[pos++]!
      if (c === '{') return syntaxError("unexpected '{' in field name", source, pos - 1)
      if (c === '[') {
        while (pos < end && source[pos] !== ']') pos++
        continue
      }
      if (c === '}' || c === ':' || c === '!') break
    }
    const name = source.slice(nameStart, pos - 1)
    if (c !== '!' && c !== ':' && c !== '}') return syntaxError("expected '}' before the end of the template", source, fieldStart - 1)
    const checked = checkName(name, source, fieldStart)
    if (checked !== null) return checked
    pushField(fields, name)
    let conversion: string | null = null
    let spec: CompiledSpec = EMPTY
    if (c === '!' || c === ':') {
      let specStart = -1
      if (c === '!') {
        if (pos >= end) return syntaxError("end of template while looking for a conversion after '!'", source, pos)
        conversion = source[pos++]!
        if (pos < end) {
          const c2 = source[pos++]!
          if (c2 === '}') specStart = -2
          else if (c2 !== ':') return syntaxError(`expected ':' or '}' after the conversion '!${conversion}'`, source, pos - 1)
        }
      }
      if (specStart !== -2) {
        specStart = pos
        let count = 1
        let expand = false
        let specEnd = -1
        while (pos < end) {
          const d = source[pos++]!
          if (d === '{') {
            expand = true
            count++
          } else if (d === '}' && --count === 0) {
            specEnd = pos - 1
            break
          }
        }
        if (specEnd < 0) return syntaxError("unmatched '{' in format spec", source, fieldStart - 1)
        if (expand && depth <= 1)
          return templateError(
            name,
            `field "${name}" at position ${fieldStart}: its format spec has fields, but it is itself inside a format spec; Python allows one level of nesting`,
          )
        if (expand) {
          const nested = compileRange(source, specStart, specEnd, depth - 1, fields)
          if (!Array.isArray(nested)) return nested
          spec = { _tag: 'Nested', parts: nested }
        } else if (specEnd > specStart) {
          const parsed = parseSpec(source.slice(specStart, specEnd))
          if (typeof parsed === 'string')
            return templateError(
              name,
              `field "${name}": invalid format spec ${JSON.stringify(source.slice(specStart, specEnd))}: ${parsed}`,
            )
          spec = { _tag: 'Static', prepared: prepareSpec(parsed) }
        }
      }
    }
    if (conversion !== null && conversion !== 'r' && conversion !== 's' && conversion !== 'a')
      return templateError(name, `field "${name}": unknown conversion '!${conversion}'; expected !r, !s or !a`)
    if (literal !== '') {
      parts.push({ _tag: 'Literal', text: literal })
      literal = ''
    }
    parts.push({ _tag: 'Field', name, conversion: conversion, spec })
  }
  if (literal !== '') parts.push({ _tag: 'Literal', text: literal })
  return parts
}

const pushField = (fields: string[], name: string): void => {
  if (!fields.includes(name)) fields.push(name)
}

const checkName = (name: string, source: string, at: number): TemplateError | null => {
  let first = name.length
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]
    if (ch === '.' || ch === '[') {
      first = i
      break
    }
  }
  const head = name.slice(0, first)
  if (isPositional(head))
    return templateError(
      name,
      `field "${name}" at position ${at}: positional fields ({} or {0}) are not supported; values are passed by name, e.g. {epoch}`,
    )
  if (first < name.length)
    return templateError(
      name,
      `field "${name}" at position ${at}: attribute and index access ('.' or '[') are not supported; use a plain name such as {${head}}`,
    )
  return null
}

/** Compiles a whole template; `fields` receives the field names in first-appearance order. */
export const compileTemplate = (
  source: string,
): { readonly parts: ReadonlyArray<Part>; readonly fields: ReadonlyArray<string> } | TemplateError => {
  const fields: string[] = []
  const parts = compileRange(source, 0, source.length, MAX_DEPTH, fields)
  return Array.isArray(parts) ? { parts, fields } : parts
}
