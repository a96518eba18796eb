import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { elements, hasClass, marksOf, parseXml, SAMPLE_OPTIONS, writeSampleRun } from './pictures.js'
import { ckpt, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

// The sample run (pictures.ts): 7 and 9 kept (9 the best), 5 saves, 5 skips, 3 deleted.
const options = SAMPLE_OPTIONS
let run: { folder: string; log: string; policy: string }

beforeAll(async () => {
  run = await writeSampleRun(tmp.dir)
})

const report = async (...args: string[]) => {
  const out = join(tmp.dir, `report-${Math.random().toString(36).slice(2)}.html`)
  const r = await ckpt(['report', run.folder, ...args, '--out', out])
  const html = readFileSync(out, 'utf8')
  return { r, html, doc: parseXml(html, 'application/xhtml+xml') }
}

const rowsOf = (doc: ReturnType<typeof parseXml>, table: string) => {
  const t = elements(doc, 'table').find((x) => hasClass(x, table))!
  const header = elements(t, 'th').map((th) => th.textContent)
  return elements(elements(t, 'tbody')[0]!, 'tr').map((tr) => ({
    status: tr.getAttribute('class'),
    cells: Object.fromEntries(elements(tr, 'td').map((td, i) => [header[i]!, td.textContent ?? ''])),
  }))
}

describe('ckpt report: one self-contained page', () => {
  it('is well-formed XHTML with inline CSS and SVG, and nothing fetched: no script, link, src or href', async () => {
    const { r, html, doc } = await report('--log', run.log, '--config', run.policy)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(
      /: 2 kept checkpoints, all verify; val_loss per epoch, 10 epochs: 5 saves, 5 skips, 3 deleted, 2 kept, best e09\.safetensors\n$/,
    )
    expect(html.startsWith('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"')).toBe(true)
    for (const tag of ['script', 'link', 'img', 'iframe', 'object']) expect(elements(doc, tag)).toEqual([])
    for (const e of elements(doc, '*')) for (const attr of ['src', 'href', 'xlink:href']) expect(e.getAttribute(attr)).toBeNull()
    expect(html.replace(/xmlns="[^"]*"/g, '')).not.toMatch(/https?:\/\/|@import|url\((?!#)/)
    expect(elements(doc, 'style')).toHaveLength(1)
    expect(elements(doc, 'svg')).toHaveLength(1)
  })

  it('holds the plot: the same marks ckpt plot draws from the same folder, log and options', async () => {
    const { doc } = await report('--log', run.log, '--config', run.policy)
    const plot = parseXml((await ckpt(['plot', run.folder, '--log', run.log, '--config', run.policy])).stdout)
    for (const kind of ['save', 'skip', 'deleted', 'kept', 'best'] as const) expect(marksOf(doc, kind)).toEqual(marksOf(plot, kind))
    expect(marksOf(doc, 'kept').map((m) => m.x)).toEqual([7, 9])
  })

  it('lists the kept checkpoints of the index with their metrics, marks and verify status', async () => {
    const { doc } = await report('--log', run.log)
    const ls = JSON.parse((await ckpt(['ls', run.folder, '--json'])).stdout) as {
      checkpoints: Array<{ path: string; epoch: number; metrics: Record<string, number>; best: boolean; latest: boolean }>
    }
    const rows = rowsOf(doc, 'checkpoints')
    expect(rows.map((r) => r.cells.path)).toEqual(ls.checkpoints.map((c) => c.path))
    ls.checkpoints.forEach((c, i) => {
      const row = rows[i]!
      expect(row.status).toBe('ok')
      expect(row.cells.verify).toBe('OK')
      expect(row.cells.epoch).toBe(String(c.epoch + 1))
      expect(Number(row.cells.val_loss)).toBeCloseTo(c.metrics.val_loss!, 6)
      expect(Number(row.cells.loss)).toBeCloseTo(c.metrics.loss!, 6)
      expect(row.cells.mark).toBe([c.best ? 'best' : null, c.latest ? 'latest' : null].filter((m) => m !== null).join(', '))
    })
  })

  it('says which options the index records, and shows the --config file’s; without it says it has none', async () => {
    const withConfig = (await report('--log', run.log, '--config', run.policy)).doc
    const section = elements(withConfig, 'section').find((s) => s.getAttribute('id') === 'options')!
    expect(section.textContent).toContain('monitor val_loss, mode min')
    expect(section.textContent).toContain('"best":0.45')
    expect(rowsOf(withConfig, 'options').map((r) => [r.cells.option, r.cells.value])).toEqual(
      Object.entries(options).map(([k, v]) => [k, JSON.stringify(v)]),
    )
    const without = (await report()).doc
    const text = elements(without, 'section').find((s) => s.getAttribute('id') === 'options')!.textContent
    expect(text).toContain('give --config with the file the run used to show them')
    expect(elements(without, 'table').some((t) => hasClass(t, 'options'))).toBe(false)
  })

  it("a corrupt checkpoint: the row says CORRUPT with verify's reason, stderr names it, exit 1 (the page is written)", async () => {
    const file = join(run.folder, 'e07.safetensors')
    const bytes = readFileSync(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01
    writeFileSync(file, bytes)
    const { r, doc } = await report()
    expect(r.code).toBe(1)
    const verify = await ckpt(['verify', run.folder, '--json'])
    const reason = (JSON.parse(verify.stdout) as { checkpoints: Array<{ path: string; reason: string | null }> }).checkpoints.find(
      (c) => c.path === 'e07.safetensors',
    )!.reason!
    const rows = rowsOf(doc, 'checkpoints')
    expect(rows.map((x) => [x.cells.path, x.status, x.cells.verify])).toEqual([
      ['e07.safetensors', 'corrupt', `CORRUPT: ${reason}`],
      ['e09.safetensors', 'ok', 'OK'],
    ])
    expect(r.stderr).toContain(`ckpt report: CORRUPT e07.safetensors: ${reason}\n`)
    expect(r.stdout).toContain('2 kept checkpoints, 1 corrupt')
  })
})
