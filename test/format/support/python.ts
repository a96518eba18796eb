import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TemplateValue, TemplateValues } from '../../../src/format/index.js'

/** Why python3 cannot serve as the oracle here, or null when it can. */
export const pythonMissing = (): string | null => {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[:2])'], { encoding: 'utf8' })
  if (r.error !== undefined || r.status !== 0) return `python3 is not available (${r.error?.message ?? r.stderr})`
  if (r.stdout.trim() !== '(3, 11)') return `python3 is ${r.stdout.trim()}, the oracle must be CPython 3.11`
  return null
}

const f64 = new Float64Array(1)
const u8 = new Uint8Array(f64.buffer)

/** The 16 hex digits of a double's bits, big-endian. */
export const doubleBits = (x: number): string => {
  f64[0] = x
  let s = ''
  for (let i = 7; i >= 0; i--) s += u8[i]!.toString(16).padStart(2, '0')
  return s
}

const encodeValue = (v: TemplateValue): { t: string; v: unknown } => {
  switch (typeof v) {
    case 'bigint':
      return { t: 'i', v: (v < 0n ? '-0x' : '0x') + (v < 0n ? -v : v).toString(16) }
    case 'number':
      return { t: 'f', v: doubleBits(v) }
    case 'boolean':
      return { t: 'b', v }
    default:
      return { t: 's', v }
  }
}

export interface Case {
  readonly template: string
  readonly values: TemplateValues
}

export type PythonResult = { readonly ok: string } | { readonly big: number } | { readonly err: string }

/** Runs every case through one python3 process (test/format/support/oracle.py). */
export const runPython = (cases: ReadonlyArray<Case>): PythonResult[] => {
  const input = JSON.stringify(
    cases.map((c) => ({ template: c.template, values: Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, encodeValue(v)])) })),
  )
  const script = fileURLToPath(new URL('./oracle.py', import.meta.url))
  const r = spawnSync('python3', [script], { input, encoding: 'utf8', maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as PythonResult[]
}

/** Shows a case for a failure message, with bigint and -0 visible. */
export const showCase = (c: Case): string =>
  `${JSON.stringify(c.template)} with ${Object.entries(c.values)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? (Object.is(v, -0) ? '-0' : `${v} [${doubleBits(v)}]`) : JSON.stringify(v)}`,
    )
    .join(', ')}`
