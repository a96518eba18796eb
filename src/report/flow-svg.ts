import { COLOUR } from './colours.js'
import type { Flow, FlowStep } from './flow.js'
import { el, textEl, xmlText } from './xml.js'

/** Monospaced 12 px text: a character's width (DejaVu Sans Mono's 0.602 em, rounded up) and a line's height. */
const CH = 7.3
const LINE = 16
const PAD = 10
const GAP = 26
const MARGIN = 20
/** The title's 14 px bold sans-serif: a wide character's width. */
const TITLE_CH = 8.8
const FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace'

const width = (lines: ReadonlyArray<string>): number => lines.reduce((w, l) => Math.max(w, [...l].length), 0) * CH + 2 * PAD

const lines = (text: ReadonlyArray<string>, cx: number, top: number, fill: string = COLOUR.axis): string[] =>
  text.map((l, i) => textEl(l, { x: cx, y: top + PAD + 12 + i * LINE, 'text-anchor': 'middle', fill }))

const marker = (id: string, colour: string): string =>
  el(
    'marker',
    { id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    el('path', { d: 'M0,0L10,5L0,10Z', fill: colour }),
  )

/**
 * The flow as SVG, without Graphviz: a vertical chain of nodes from `Start`, each with its arrow and note to the
 * right; saves green, skips orange, a save retention deleted later dashed. Each step is a
 * `<g class="step save|skip|gap">`.
 */
export const flowSvg = (flow: Flow): string => {
  const steps = flow.steps
  // Loops, not Math.max(...list): a long list spread into arguments overflows the stack.
  const widest = (least: number, of: ReadonlyArray<number>) => of.reduce((w, v) => Math.max(w, v), least)
  const nodeW = widest(
    90,
    steps.map((s) => width(s.node)),
  )
  const real = steps.filter((s): s is FlowStep => s.kind === 'step')
  const edgeW = widest(
    90,
    real.map((s) => width([s.edge]) + 24),
  )
  const noteW = widest(
    120,
    real.map((s) => width(s.note)),
  )
  const x0 = MARGIN
  const cx = x0 + nodeW / 2
  const total = Math.max(x0 + nodeW + edgeW + noteW + MARGIN, [...flow.title].length * TITLE_CH + 2 * MARGIN, 380)

  const out: string[] = []
  let y = 96
  out.push(
    el(
      'g',
      { class: 'start' },
      el('rect', { x: cx - 38, y, width: 76, height: 28, rx: 14, fill: '#ffffff', stroke: COLOUR.axis }),
      textEl('Start', { x: cx, y: y + 18, 'text-anchor': 'middle', fill: COLOUR.axis }),
    ),
  )
  let bottom = y + 28
  for (const s of steps) {
    const noteLines = s.kind === 'step' ? s.note.length : 0
    const rowH = Math.max(s.node.length, noteLines) * LINE + 2 * PAD
    y = bottom + GAP
    const parts: string[] = [
      el('line', { x1: cx, x2: cx, y1: bottom, y2: y, stroke: COLOUR.curve, 'stroke-width': 1.2, 'marker-end': 'url(#arrow)' }),
    ]
    const nodeH = s.node.length * LINE + 2 * PAD
    const nodeY = y + (rowH - nodeH) / 2
    if (s.kind === 'gap') {
      parts.push(
        el('rect', {
          x: x0,
          y: nodeY,
          width: nodeW,
          height: nodeH,
          rx: 6,
          fill: '#ffffff',
          stroke: COLOUR.muted,
          'stroke-dasharray': '4 3',
        }),
      )
      parts.push(...lines(s.node, cx, nodeY, COLOUR.muted))
    } else {
      const colour = s.outcome === 'save' ? COLOUR.save : COLOUR.skip
      const fill = s.outcome === 'save' ? COLOUR.saveFill : COLOUR.skipFill
      const noteH = s.note.length * LINE + 2 * PAD
      const noteX = x0 + nodeW + edgeW
      const noteY = y + (rowH - noteH) / 2
      const mid = y + rowH / 2
      parts.push(el('rect', { x: x0, y: nodeY, width: nodeW, height: nodeH, rx: 6, fill: '#ffffff', stroke: COLOUR.axis }))
      parts.push(...lines(s.node, cx, nodeY))
      parts.push(
        el('line', {
          x1: x0 + nodeW,
          x2: noteX,
          y1: mid,
          y2: mid,
          stroke: colour,
          'stroke-width': 1.4,
          'marker-end': `url(#arrow-${s.outcome})`,
        }),
      )
      parts.push(textEl(s.edge, { x: x0 + nodeW + edgeW / 2, y: mid - 6, 'text-anchor': 'middle', fill: colour, class: 'edge-label' }))
      parts.push(
        el('rect', {
          x: noteX,
          y: noteY,
          width: noteW,
          height: noteH,
          fill,
          stroke: colour,
          'stroke-width': 1.4,
          ...(s.deleted ? { 'stroke-dasharray': '5 3' } : {}),
        }),
      )
      parts.push(...lines(s.note, noteX + noteW / 2, noteY))
    }
    out.push(el('g', { class: `step ${s.kind === 'gap' ? 'gap' : s.outcome}` }, ...parts))
    bottom = y + rowH
  }
  const height = bottom + MARGIN
  const legend = el(
    'g',
    { class: 'legend' },
    el('rect', { x: MARGIN, y: 52, width: 14, height: 14, fill: COLOUR.saveFill, stroke: COLOUR.save }),
    textEl('save', { x: MARGIN + 20, y: 63, fill: COLOUR.axis }),
    el('rect', { x: MARGIN + 70, y: 52, width: 14, height: 14, fill: COLOUR.skipFill, stroke: COLOUR.skip }),
    textEl('skip', { x: MARGIN + 90, y: 63, fill: COLOUR.axis }),
    el('rect', { x: MARGIN + 140, y: 52, width: 14, height: 14, fill: COLOUR.saveFill, stroke: COLOUR.save, 'stroke-dasharray': '4 2' }),
    textEl('saved, deleted later by retention', { x: MARGIN + 160, y: 63, fill: COLOUR.axis }),
  )
  const defs = el('defs', {}, marker('arrow', COLOUR.curve), marker('arrow-save', COLOUR.save), marker('arrow-skip', COLOUR.skip))
  const title = textEl(flow.title, { x: MARGIN, y: 30, 'font-size': 14, 'font-weight': 'bold', fill: COLOUR.axis, class: 'title' })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(total)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(total)} ${Math.ceil(height)}" font-family="${FONT}" font-size="12" role="img">${el('title', {}, xmlText(flow.title))}${defs}${el('rect', { x: 0, y: 0, width: Math.ceil(total), height: Math.ceil(height), fill: '#ffffff' })}${title}${legend}${out.join('')}</svg>\n`
}
