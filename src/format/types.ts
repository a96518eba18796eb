import type { Either } from '#fp-ts/Either.js'

/**
 * A value a template can format, mapped onto Python's types:
 * `bigint` is a Python `int` (any size), `number` a Python `float` (NaN, ±Infinity and -0 included),
 * `string` a `str`, `boolean` a `bool` (a subclass of `int`, as in Python).
 */
export type TemplateValue = bigint | number | string | boolean

/** The keyword arguments of `str.format(**values)`. Only own properties are looked up. */
export type TemplateValues = Readonly<Record<string, TemplateValue>>

/** Why a template could not be parsed or rendered. `field` names the field at fault, or is null for template syntax errors. */
export interface TemplateError {
  readonly _tag: 'TemplateError'
  readonly field: string | null
  readonly message: string
}

/** A compiled template: parse once, render many times. */
export interface Template {
  readonly source: string
  /** Every field name the template needs, including names used in nested specs, in first-appearance order, unique. */
  readonly fields: ReadonlyArray<string>
  render(values: TemplateValues): Either<TemplateError, string>
}

/** Builds a TemplateError. */
export const templateError = (field: string | null, message: string): TemplateError => ({
  _tag: 'TemplateError',
  field,
  message,
})

/** Type guard used by the internal "string or error" results of the formatting core. */
export const isTemplateError = (x: unknown): x is TemplateError =>
  typeof x === 'object' && x !== null && (x as { _tag?: unknown })._tag === 'TemplateError'
