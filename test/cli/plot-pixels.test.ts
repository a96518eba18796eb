import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodePng, elements, hasClass, parseXml, rgb, SAMPLE_VAL, toolMissing, writeSampleRun, type Png } from './pictures.js'
import { ckpt, tempDir } from './support.js'

const missing = toolMissing('rsvg-convert', 'librsvg2-bin')
if (missing !== null) console.warn(`skipped: ckpt plot's marks checked as pixels: ${missing}`)

const tmp = tempDir()
afterAll(tmp.cleanup)

// The sample run: saves at 1, 2, 4, 7, 9 (1, 2 and 4 deleted by saveTopK 2), skips at 3, 5 (NaN), 6, 8, 10.
const VAL = SAMPLE_VAL
const COLOURS = { save: '#2ca02c', skip: '#ff7f0e', deleted: '#d62728', kept: '#1f77b4', best: '#f2c200' }

/** True when the pixel is within `tolerance` of the colour in every channel. */
const near = (png: Png, x: number, y: number, hex: string, tolerance = 40): boolean => {
  const [r, g, b] = png.pixel(x, y)
  return rgb(hex).every((c, i) => Math.abs(c - [r, g, b][i]!) <= tolerance)
}

/** True when some pixel within `radius` of (x, y) is near the colour. */
const someNear = (png: Png, x: number, y: number, radius: number, hex: string): boolean => {
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++) if (dx * dx + dy * dy <= radius * radius && near(png, x + dx, y + dy, hex)) return true
  return false
}

describe.skipIf(missing !== null)('ckpt plot rendered to pixels (rsvg-convert): the marks are where the data says', () => {
  let png: Png
  let toX: (epoch: number) => number
  let toY: (value: number) => number
  let lane: { top: number; bottom: number }

  beforeAll(async () => {
    const run = await writeSampleRun(tmp.dir)
    const svgPath = join(tmp.dir, 'run.svg')
    const r = await ckpt(['plot', run.folder, '--log', run.log, '--config', run.policy, '--out', svgPath])
    expect(r.code, r.stderr).toBe(0)
    const pngPath = join(tmp.dir, 'run.png')
    const rendered = spawnSync('rsvg-convert', [svgPath, '-o', pngPath], { encoding: 'utf8' })
    expect(rendered.status, rendered.stderr).toBe(0)
    png = decodePng(readFileSync(pngPath))
    // The axes as a reader sees them: two labelled ticks per axis give the map from data to pixels.
    const doc = parseXml(readFileSync(svgPath, 'utf8'))
    const ticks = (axis: 'x' | 'y') =>
      elements(doc, 'g')
        .filter((g) => hasClass(g, 'tick') && hasClass(g, axis))
        .map((g) => {
          const line = elements(g, 'line')[0]!
          return { value: Number(elements(g, 'text')[0]!.textContent), px: Number(line.getAttribute(axis === 'x' ? 'x1' : 'y1')) }
        })
    const map = (t: Array<{ value: number; px: number }>) => {
      const [a, b] = [t[0]!, t.at(-1)!]
      return (v: number) => a.px + ((v - a.value) / (b.value - a.value)) * (b.px - a.px)
    }
    toX = map(ticks('x'))
    toY = map(ticks('y'))
    const laneLine = elements(doc, 'g')
      .find((g) => hasClass(g, 'lane'))!
      .getElementsByTagName('line')[0]!
    lane = { top: Number(laneLine.getAttribute('y1')), bottom: png.height }
  })

  it('renders at the SVG size', () => {
    expect([png.width, png.height]).toEqual([960, 500])
  })

  it('a green dot at each kept save, a red cross over the green dot of each deleted one, an orange diamond at each skip', () => {
    for (const epoch of [7, 9]) expect(near(png, toX(epoch), toY(VAL[epoch - 1]!), COLOURS.save), `save at epoch ${epoch}`).toBe(true)
    for (const epoch of [1, 2, 4]) {
      const [x, y] = [toX(epoch), toY(VAL[epoch - 1]!)]
      expect(near(png, x, y, COLOURS.deleted), `cross at epoch ${epoch}`).toBe(true)
      expect(someNear(png, x, y, 4, COLOURS.save), `dot under the cross at epoch ${epoch}`).toBe(true)
    }
    for (const epoch of [3, 6, 8, 10])
      expect(near(png, toX(epoch), toY(VAL[epoch - 1]!), COLOURS.skip), `skip at epoch ${epoch}`).toBe(true)
  })

  it('the NaN epoch is an orange diamond in the "no value" lane, below the values', () => {
    const x = toX(5)
    const rows = Array.from({ length: lane.bottom - lane.top }, (_, i) => lane.top + i)
    expect(rows.some((y) => near(png, x, y, COLOURS.skip))).toBe(true)
    const above = Array.from({ length: Math.floor(lane.top) - 60 }, (_, i) => 60 + i)
    expect(above.some((y) => near(png, x, y, COLOURS.skip))).toBe(false)
  })

  it('a blue ring around each kept checkpoint, a gold star above the best only', () => {
    for (const epoch of [7, 9]) expect(near(png, toX(epoch), toY(VAL[epoch - 1]!) - 9, COLOURS.kept), `ring at epoch ${epoch}`).toBe(true)
    for (const epoch of [1, 2, 3, 4, 6, 8, 10]) expect(near(png, toX(epoch), toY(VAL[epoch - 1]!) - 9, COLOURS.kept)).toBe(false)
    expect(near(png, toX(9), toY(VAL[8]!) - 22, COLOURS.best)).toBe(true)
    expect(near(png, toX(7), toY(VAL[6]!) - 22, COLOURS.best)).toBe(false)
  })
})
