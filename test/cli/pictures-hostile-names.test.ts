import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { elements, hasClass, parseXml, toolMissing } from './pictures.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

// Markup, quotes, a Graphviz escape (\N: the node's name), an escape sequence, a bell, a right-to-left override and a
// lone surrogate: in a metric's name and (what a storage key allows of them) in the checkpoint paths.
const METRIC = 'val<&"\'>\\N\u001b]0;x\u0007\u202e\ud800'
const options = { filepath: 'e{epoch}-<&"\'>\u202e.safetensors', monitor: METRIC, mode: 'min' as const, saveBestOnly: true, maxToKeep: 1 }
const dotMissing = toolMissing('dot', 'graphviz')
let folder = ''
let history = ''
let policy = ''

beforeAll(async () => {
  folder = join(tmp.dir, 'run')
  const c = await createCheckpointer({ ...options, storage: fsStorage(folder), ...quiet })
  const lines: string[] = []
  for (const [epoch, v] of [0.5, 0.4, 0.45].entries()) {
    await c.onEpochEnd({ epoch, logs: { [METRIC]: v } }, tensorsFor(epoch))
    lines.push(JSON.stringify({ epoch, logs: { [METRIC]: v } }))
  }
  await c.close()
  history = join(tmp.dir, 'history.jsonl')
  writeFileSync(history, `${lines.join('\n')}\n`)
  policy = join(tmp.dir, 'policy.json')
  writeFileSync(policy, JSON.stringify(options))
})

/** The metric's name as every text output shows it: control characters and the override visible, as in a repr. */
const SHOWN = 'val<&"\'>\\N\\x1b]0;x\\x07\\u202e'

describe('names from data cannot break the pictures: plot, report and the flow diagrams stay well-formed', () => {
  it('plot: well-formed SVG, the name shown with its control characters visible', async () => {
    const r = await ckpt(['plot', folder, '--log', history, '--config', policy])
    expect(r.code, r.stderr).toBe(0)
    const doc = parseXml(r.stdout)
    expect(elements(doc, 'text').find((t) => hasClass(t, 'y-label'))!.textContent).toBe(`${SHOWN}\ufffd`)
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/)
    expect(elements(doc, 'g').filter((g) => hasClass(g, 'mark') && hasClass(g, 'save'))).toHaveLength(1)
  })

  it('report: well-formed XHTML; the path and the metric as text, never as markup', async () => {
    const r = await ckpt(['report', folder, '--log', history, '--config', policy])
    expect(r.code, r.stderr).toBe(0)
    const doc = parseXml(r.stdout, 'application/xhtml+xml')
    const cells = elements(doc, 'td').map((td) => td.textContent)
    expect(cells).toContain('e2-<&"\'>\\u202e.safetensors')
    expect(elements(doc, 'th').map((th) => th.textContent)).toContain(`${SHOWN}\ufffd`)
  })

  it('simulate --svg: well-formed; --dot: Graphviz accepts it (when installed)', async () => {
    const svg = await ckpt(['simulate', '--config', policy, '--events', history, '--svg'])
    expect(svg.code, svg.stderr).toBe(0)
    const texts = elements(parseXml(svg.stdout), 'text').map((t) => t.textContent ?? '')
    expect(texts).toContain('e1-<&"\'>\\u202e.safetensors')
    const dot = await ckpt(['simulate', '--config', policy, '--events', history, '--dot'])
    expect(dot.code, dot.stderr).toBe(0)
    if (dotMissing !== null) return console.warn(`skipped the Graphviz check: ${dotMissing}`)
    const r = spawnSync('dot', ['-Tsvg'], { input: dot.stdout, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const drawn = elements(parseXml(r.stdout), 'text').map((t) => t.textContent ?? '')
    expect(drawn).toContain('e1-<&"\'>\\u202e.safetensors')
    expect(drawn).toContain(`${SHOWN}\ufffd = 0.5`)
  })
})
