/** The embedded Unicode tables are CPython 3.11's: checked against python3 for every code point. */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { decimalTable, decimalValue, isPrintable, nonPrintableTable } from '../../src/format/unicode-tables.js'
import { pythonMissing } from './support/python.js'

const missing = pythonMissing()
if (missing !== null) console.warn(`[format] Unicode table check against CPython skipped: ${missing}`)

const toPairs = (t: { starts: Int32Array; ends: Int32Array }): number[][] => Array.from(t.starts, (s, i) => [s, t.ends[i]!])

describe.skipIf(missing !== null)('Unicode tables match CPython 3.11', () => {
  const script = fileURLToPath(new URL('./support/unicode_tables.py', import.meta.url))
  const py = JSON.parse(spawnSync('python3', [script], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout || '{}') as {
    unidata_version: string
    nonPrintable: number[][]
    decimal: number[][]
  }

  it('str.isprintable ranges', () => {
    expect(py.unidata_version).toBe('14.0.0')
    expect(toPairs(nonPrintableTable)).toEqual(py.nonPrintable)
  })

  it('unicodedata.decimal ranges, each a run of 0..9 blocks', () => {
    expect(toPairs(decimalTable)).toEqual(py.decimal)
    for (const [s, e] of py.decimal) expect((e! - s! + 1) % 10).toBe(0)
  })
})

describe('Unicode lookups', () => {
  it('classify known code points', () => {
    expect(isPrintable(0x41)).toBe(true)
    expect(isPrintable(0x7f)).toBe(false)
    expect(isPrintable(0xe9)).toBe(true)
    expect(isPrintable(0x200b)).toBe(false)
    expect(isPrintable(0xd800)).toBe(false)
    expect(isPrintable(0x1fae8)).toBe(false) // assigned in Unicode 15, unassigned for CPython 3.11
    expect(decimalValue(0x37)).toBe(7)
    expect(decimalValue(0x0663)).toBe(3)
    expect(decimalValue(0x1d7d8)).toBe(0)
    expect(decimalValue(0x1d7e1)).toBe(9)
    expect(decimalValue(0x11f50)).toBe(-1) // Kawi digit zero: Unicode 15
    expect(decimalValue(0x2163)).toBe(-1) // Roman numeral: numeric but not decimal
  })
})
