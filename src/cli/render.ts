import * as E from '#fp-ts/Either.js'
import { formatTemplate } from '../format/index.js'

/** A number as Python's `repr(float)` writes it (`1e-05`, `nan`, `inf`), as Keras logs and templates show it. */
export const pyRepr = (n: number): string => {
  const r = formatTemplate('{v}', { v: n })
  return E.isRight(r) ? r.right : String(n)
}

/** JSON has no NaN or infinities: they become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, as in the index. */
export const jsonNumber = (n: number): number | string => (Number.isFinite(n) ? n : String(n))

/** Metrics with JSON-safe values. */
export const jsonMetrics = (metrics: Readonly<Record<string, number>>): Record<string, number | string> => {
  const out = Object.create(null) as Record<string, number | string>
  for (const [k, v] of Object.entries(metrics)) out[k] = jsonNumber(v)
  return out
}

/** `key=value` pairs in the logs' order, values as Python writes them. */
export const metricsText = (metrics: Readonly<Record<string, number>>): string =>
  Object.entries(metrics)
    .map(([k, v]) => `${k}=${pyRepr(v)}`)
    .join(' ')

/** A byte count for people: `512 B`, `1.5 KiB`, `3.20 MiB`. Exact counts are in `--json` output. */
export const formatBytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = -1
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`
}

/**
 * Characters that act on a terminal instead of showing: C0 controls (ESC starts escape sequences, CR
 * rewrites the line), DEL, C1 controls (U+009B is a one-character CSI) and the bidi overrides and isolates.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const escapeOne = (c: string): string => {
  if (c === '\n') return '\\n'
  if (c === '\r') return '\\r'
  if (c === '\t') return '\\t'
  const code = c.charCodeAt(0)
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Data (a path, a metric name, a message quoting a file) as it is safe to print on a terminal: control
 * characters written as Python writes them in a repr (`\n`, `\x1b`, `\u202e`); everything else as it is.
 * Every text (not `--json`) output of the CLI goes through this; JSON output stays exact.
 */
export const escapeText = (s: string): string => s.replace(UNSAFE, escapeOne)

/** A value quoted as JSON for a message, cut after `max` characters with its full length: input can be megabytes long. */
export const quoted = (s: string, max = 100): string =>
  s.length > max ? `${JSON.stringify(s.slice(0, max))}… (${s.length} characters)` : JSON.stringify(s)

/** `escapeText` for a whole multi-line text: its line breaks stay, every other control character is escaped. */
export const escapeLines = (s: string): string => s.replace(UNSAFE_BUT_NEWLINE, escapeOne)

/** Left-aligned columns separated by two spaces; trailing spaces trimmed; cells escaped (`escapeText`). */
export const table = (rawHeader: ReadonlyArray<string>, rawRows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const header = rawHeader.map(escapeText)
  const rows = rawRows.map((r) => r.map(escapeText))
  // a loop, not Math.max(...rows): spreading 100k+ rows into arguments overflows the stack
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header)].concat(rows.map(line)).join('\n')
}

/** Pretty JSON, one trailing newline. */
export const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

/** A number in `sig` significant digits for a picture (`0.07591`), non-finite ones as Python writes them. */
export const shortNumber = (n: number, sig = 4): string => (Number.isFinite(n) ? String(Number(n.toPrecision(sig))) : pyRepr(n))

/** The fewest significant digits (from 4) at which two different numbers also read differently. */
export const digitsApart = (a: number, b: number): number => {
  let sig = 4
  while (sig < 17 && a !== b && shortNumber(a, sig) === shortNumber(b, sig)) sig++
  return sig
}
