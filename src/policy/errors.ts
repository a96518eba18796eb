/** Errors of the policy core, as values. */
import { didYouMean } from './nearest-name.js'

/** One rejected option: which one, the value received, and what is accepted. */
export interface ConfigIssue {
  readonly option: string
  readonly value: unknown
  readonly accepted: string
  readonly message: string
}

/**
 * A configuration that cannot be used. `option`, `value` and `accepted` describe the first issue;
 * `issues` lists all of them and `message` joins their messages, one a line.
 */
export interface ConfigError {
  readonly _tag: 'ConfigError'
  readonly option: string
  readonly value: unknown
  readonly accepted: string
  readonly message: string
  readonly issues: ReadonlyArray<ConfigIssue>
}

/** Renders a received value for an error message: JSON where possible, else a JS literal. */
export const showValue = (value: unknown): string => {
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'symbol') return value.toString()
  try {
    const s = JSON.stringify(value)
    if (s !== undefined) return s.length > 120 ? `${s.slice(0, 117)}...` : s
  } catch {
    // Circular, or holds a bigint: described below rather than shown as "[object Object]".
  }
  return Array.isArray(value) ? 'an array that JSON cannot encode' : 'an object that JSON cannot encode'
}

export const configIssue = (option: string, value: unknown, accepted: string, reason?: string): ConfigIssue => ({
  option,
  value,
  accepted,
  message: `${option}: got ${showValue(value)}${reason ? ` (${reason})` : ''}; expected ${accepted}`,
})

/**
 * A key that no option of the entry point is named: `accepted` lists every option the caller could have passed there,
 * and the nearest is suggested when it looks like a typo.
 */
export const unknownOption = (key: string, value: unknown, accepted: ReadonlyArray<string>): ConfigIssue =>
  configIssue(key, value, `one of the options ${accepted.join(', ')}`, `unknown option${didYouMean(key, accepted)}`)

export const configError = (issues: ReadonlyArray<ConfigIssue>): ConfigError => {
  const first = issues[0] ?? configIssue('(options)', undefined, 'a valid configuration')
  return {
    _tag: 'ConfigError',
    option: first.option,
    value: first.value,
    accepted: first.accepted,
    message: issues.map((i) => i.message).join('\n'),
    issues,
  }
}

/** The filename of a save opportunity cannot be rendered from its event (Keras raises there). */
export interface TemplateRenderError {
  readonly _tag: 'TemplateRenderError'
  /** The template as configured. */
  readonly filepath: string
  /** The field that failed, when known. */
  readonly field: string | null
  readonly message: string
}

/** A step that cannot be decided: the filename cannot be rendered, or the event is malformed. */
export type PolicyError =
  | TemplateRenderError
  | { readonly _tag: 'InvalidEvent'; readonly field: string; readonly value: unknown; readonly message: string }
  | { readonly _tag: 'RuleError'; readonly rule: string; readonly message: string }

export const invalidEvent = (field: string, value: unknown, accepted: string): PolicyError => ({
  _tag: 'InvalidEvent',
  field,
  value,
  message: `event.${field}: got ${showValue(value)}; expected ${accepted}`,
})
