import { COLOUR } from './colours.js'
import { el, xmlText } from './xml.js'

export interface PageTable {
  readonly header: ReadonlyArray<string>
  /** Each row's cells, and its class (`ok`, `corrupt`, or none). */
  readonly rows: ReadonlyArray<{ readonly cells: ReadonlyArray<string>; readonly status?: 'ok' | 'corrupt' }>
}

/** A section: a heading, paragraphs, and a table. */
export interface PageSection {
  readonly id: string
  readonly heading: string
  readonly paragraphs: ReadonlyArray<string>
  readonly table?: PageTable
  /** A bulleted list after the paragraphs. */
  readonly list?: ReadonlyArray<string>
}

export interface ReportPage {
  readonly title: string
  readonly summary: ReadonlyArray<string>
  /** The timeline, as `timelineSvg` wrote it: inlined as it is. */
  readonly figure: string
  readonly sections: ReadonlyArray<PageSection>
}

const STYLE = `
body { font-family: DejaVu Sans, Verdana, Arial, sans-serif; color: ${COLOUR.axis}; margin: 2em auto; max-width: 1000px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid ${COLOUR.grid}; }
p.summary { color: ${COLOUR.muted}; margin-top: 0; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid ${COLOUR.grid}; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { text-align: left; padding: 0.3em 0.8em 0.3em 0; border-bottom: 1px solid ${COLOUR.grid}; vertical-align: top; }
td { font-family: DejaVu Sans Mono, Menlo, Consolas, monospace; white-space: nowrap; }
div.scroll { overflow-x: auto; }
tr.ok td.status { color: ${COLOUR.save}; }
tr.corrupt td { color: ${COLOUR.deleted}; }
`

const table = (t: PageTable, cls: string): string =>
  el(
    'table',
    { class: cls },
    el('thead', {}, el('tr', {}, ...t.header.map((h) => el('th', {}, xmlText(h))))),
    el(
      'tbody',
      {},
      ...t.rows.map((r) =>
        el(
          'tr',
          r.status === undefined ? {} : { class: r.status },
          ...r.cells.map((c, i) => el('td', i === r.cells.length - 1 && r.status !== undefined ? { class: 'status' } : {}, xmlText(c))),
        ),
      ),
    ),
  )

/**
 * One self-contained page (XHTML, so any XML parser reads it): inline CSS, the timeline as inline SVG, and the
 * sections. No script, no external file, nothing fetched.
 */
export const reportHtml = (page: ReportPage): string => {
  const sections = page.sections.map((s) =>
    el(
      'section',
      { id: s.id },
      el('h2', {}, xmlText(s.heading)),
      ...s.paragraphs.map((p) => el('p', {}, xmlText(p))),
      ...(s.list === undefined || s.list.length === 0 ? [] : [el('ul', {}, ...s.list.map((item) => el('li', {}, xmlText(item))))]),
      ...(s.table === undefined ? [] : [el('div', { class: 'scroll' }, table(s.table, s.id))]),
    ),
  )
  const body = el(
    'body',
    {},
    el('h1', {}, xmlText(page.title)),
    ...page.summary.map((p) => el('p', { class: 'summary' }, xmlText(p))),
    el('figure', {}, page.figure.trimEnd()),
    ...sections,
  )
  const head = el('head', {}, el('meta', { charset: 'utf-8' }), el('title', {}, xmlText(page.title)), el('style', {}, STYLE))
  return `<!DOCTYPE html>\n${el('html', { xmlns: 'http://www.w3.org/1999/xhtml', lang: 'en' }, head, body)}\n`
}
