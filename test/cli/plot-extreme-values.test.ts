import { afterAll, describe, expect, it } from 'vitest'
import { elements, hasClass, parseXml, writeRun } from './pictures.js'
import { ckpt, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt plot and report: metric values near the largest double', () => {
  it('draw every value at a finite position, in the order of the values (no NaN coordinates)', async () => {
    const values = [1.7e308, -1.7e308, 5e-324, 1e308]
    const run = await writeRun(
      tmp.dir,
      { filepath: 'e{epoch:02d}.safetensors', monitor: 'loss' },
      values.map((loss) => ({ loss })),
    )
    for (const args of [[], ['--log', run.log]]) {
      const plot = await ckpt(['plot', run.folder, ...args])
      expect(plot.code, plot.stderr).toBe(0)
      // No coordinate, size or point is NaN or infinite (no text holds these words either).
      expect(plot.stdout, args.join(' ')).not.toMatch(/NaN|Infinity/)
      const doc = parseXml(plot.stdout)
      const saves = elements(doc, 'g').filter((g) => hasClass(g, 'mark') && hasClass(g, 'save'))
      expect(saves.map((g) => Number(g.getAttribute('data-x')))).toEqual([1, 2, 3, 4])
      // Higher values are drawn higher (smaller y): the marks' y in the order of their values.
      const y = saves.map((g) => Number(elements(g, 'circle')[0]?.getAttribute('cy') ?? elements(g, 'path')[0]?.getAttribute('d')))
      expect(y.every(Number.isFinite), String(y)).toBe(true)
      const byValue = [...values.keys()].sort((a, b) => values[b]! - values[a]!)
      expect(byValue.map((i) => y[i]!)).toEqual([...byValue.map((i) => y[i]!)].sort((a, b) => a - b))
      const report = await ckpt(['report', run.folder, ...args])
      expect(report.code, report.stderr).toBe(0)
      expect(report.stdout).not.toMatch(/NaN|Infinity/)
    }
  })
})
