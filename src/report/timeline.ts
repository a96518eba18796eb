import { COLOUR } from './colours.js'
import { linear, niceTicks, tickLabel } from './scale.js'
import { el, num, textEl, xmlText } from './xml.js'

/** What the policy did at an event, when it is known. */
export type MarkKind = 'save' | 'skip' | 'deleted'

/** One event of a run: a training-log line, or a checkpoint when there is no log. */
export interface TimelinePoint {
  /** The epoch (1-based) or the step. */
  readonly x: number
  /** The plotted metric; not finite (NaN when missing) puts the point in the "no value" lane. */
  readonly y: number
  readonly mark: MarkKind | null
  /** A checkpoint the folder still holds. */
  readonly kept: boolean
  readonly best: boolean
  /** The tooltip. */
  readonly title: string
}

export interface Timeline {
  readonly title: string
  readonly subtitle: string
  /** `epoch` or `step`. */
  readonly xLabel: string
  /** The metric's name. */
  readonly yLabel: string
  /** Whole-number x values (epochs): ticks on whole numbers. */
  readonly integerX: boolean
  /** Where the curve's values come from: a training log (every event), or the checkpoints' own values. */
  readonly curve: 'log' | 'index'
  readonly points: ReadonlyArray<TimelinePoint>
  /** Short lines under the legend (what is not known, and why). */
  readonly notes: ReadonlyArray<string>
}

export const TIMELINE_SIZE = { width: 960, height: 500 } as const
const W = TIMELINE_SIZE.width
const H = TIMELINE_SIZE.height
const LEFT = 92
const RIGHT = W - 210
const TOP = 70
const BOTTOM = H - 56
/** Room above the highest value for the best's star, and below the lowest. */
const STAR_ROOM = 34
const FLOOR_ROOM = 12
/** The "no value" lane at the bottom of the plot, when some event has no finite value. */
const LANE = 26
/** Beyond this many points, the curve's own dots are left out (the line shows them). */
const MAX_DOTS = 200

const diamond = (x: number, y: number, r: number): string =>
  `M${num(x)},${num(y - r)}L${num(x + r)},${num(y)}L${num(x)},${num(y + r)}L${num(x - r)},${num(y)}Z`

const cross = (x: number, y: number, r: number): string =>
  `M${num(x - r)},${num(y - r)}L${num(x + r)},${num(y + r)}M${num(x - r)},${num(y + r)}L${num(x + r)},${num(y - r)}`

const star = (x: number, y: number, outer: number, inner: number): string => {
  const corners: string[] = []
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner
    const a = (Math.PI / 5) * i - Math.PI / 2
    corners.push(`${num(x + r * Math.cos(a))},${num(y + r * Math.sin(a))}`)
  }
  return `M${corners.join('L')}Z`
}

/** The drawing of one kind of mark at (x, y): the legend uses the same. */
const markShape = {
  skip: (x: number, y: number) => el('path', { d: diamond(x, y, 5.5), fill: COLOUR.skip, stroke: '#ffffff', 'stroke-width': 0.8 }),
  save: (x: number, y: number) => el('circle', { cx: x, cy: y, r: 5, fill: COLOUR.save, stroke: '#ffffff', 'stroke-width': 0.8 }),
  deleted: (x: number, y: number) =>
    markShape.save(x, y) +
    el('path', { d: cross(x, y, 5), stroke: COLOUR.deleted, 'stroke-width': 2.4, 'stroke-linecap': 'round', fill: 'none' }),
  kept: (x: number, y: number) => el('circle', { cx: x, cy: y, r: 9, fill: 'none', stroke: COLOUR.kept, 'stroke-width': 2.2 }),
  best: (x: number, y: number) =>
    el('path', { d: star(x, y - 22, 8, 3.6), fill: COLOUR.best, stroke: COLOUR.bestEdge, 'stroke-width': 0.8 }),
} as const

type MarkClass = keyof typeof markShape

/**
 * The run as an SVG timeline: the metric per epoch (or step), a mark for every save, skip and retention deletion,
 * a ring around each checkpoint still kept, a star above the best; axes with ticks, a legend and a title.
 * Each mark is a `<g class="mark KIND" data-x data-value>` so that tools (and the tests) can read them back.
 */
export const timelineSvg = (t: Timeline): string => {
  const points = [...t.points].sort((a, b) => a.x - b.x)
  const finite = points.filter((p) => Number.isFinite(p.y))
  const lane = finite.length < points.length
  const laneY = BOTTOM - LANE / 2
  const valueBottom = BOTTOM - FLOOR_ROOM - (lane ? LANE : 0)

  const xs = points.map((p) => p.x)
  const minX = xs.reduce((m, v) => Math.min(m, v), Infinity)
  const maxX = xs.reduce((m, v) => Math.max(m, v), -Infinity)
  const hasX = points.length > 0
  const spanX = hasX ? maxX - minX : 0
  const [dx0, dx1] = !hasX ? [0, 1] : t.integerX ? [minX - 0.5, maxX + 0.5] : [minX - (spanX * 0.02 || 1), maxX + (spanX * 0.02 || 1)]
  const xTicks = niceTicks(hasX ? minX : 0, hasX ? maxX : 1, Math.floor((RIGHT - LEFT) / 70), t.integerX)
  const sx = linear(dx0, dx1, LEFT, RIGHT)

  const ys = finite.map((p) => p.y)
  const minY = ys.reduce((m, v) => Math.min(m, v), Infinity)
  const maxY = ys.reduce((m, v) => Math.max(m, v), -Infinity)
  const yTicks = ys.length === 0 ? niceTicks(0, 1, 5) : niceTicks(minY, maxY, 6)
  const sy = linear(yTicks.lo, yTicks.hi, valueBottom, TOP + STAR_ROOM)
  const py = (p: TimelinePoint) => (Number.isFinite(p.y) ? sy(p.y) : laneY)

  const out: string[] = []
  out.push(el('rect', { x: 0, y: 0, width: W, height: H, fill: '#ffffff' }))
  out.push(textEl(t.title, { x: LEFT, y: 28, 'font-size': 17, 'font-weight': 'bold', fill: COLOUR.axis, class: 'title' }))
  out.push(textEl(t.subtitle, { x: LEFT, y: 49, 'font-size': 12, fill: COLOUR.muted, class: 'subtitle' }))

  // Grid and ticks. Each tick is a <g class="tick x|y"> with its line and its label.
  const yTickEls = yTicks.values
    .filter((v) => v >= yTicks.lo && v <= yTicks.hi)
    .map((v) =>
      el(
        'g',
        { class: 'tick y' },
        el('line', { x1: LEFT, x2: RIGHT, y1: sy(v), y2: sy(v), stroke: COLOUR.grid, 'stroke-width': 1 }),
        textEl(tickLabel(v, yTicks.step), { x: LEFT - 8, y: sy(v) + 4, 'font-size': 11, 'text-anchor': 'end', fill: COLOUR.axis }),
      ),
    )
  const xTickEls = xTicks.values
    .filter((v) => v >= dx0 && v <= dx1)
    .map((v) =>
      el(
        'g',
        { class: 'tick x' },
        el('line', { x1: sx(v), x2: sx(v), y1: TOP, y2: BOTTOM + 5, stroke: COLOUR.grid, 'stroke-width': 1 }),
        textEl(tickLabel(v, xTicks.step), { x: sx(v), y: BOTTOM + 19, 'font-size': 11, 'text-anchor': 'middle', fill: COLOUR.axis }),
      ),
    )
  out.push(el('g', { class: 'axis y' }, ...yTickEls))
  out.push(el('g', { class: 'axis x' }, ...xTickEls))
  if (lane)
    out.push(
      el(
        'g',
        { class: 'lane' },
        el('line', { x1: LEFT, x2: RIGHT, y1: BOTTOM - LANE, y2: BOTTOM - LANE, stroke: '#bbbbbb', 'stroke-dasharray': '3 3' }),
        textEl('no value', { x: LEFT - 8, y: laneY + 4, 'font-size': 11, 'text-anchor': 'end', fill: COLOUR.muted }),
      ),
    )
  out.push(el('rect', { x: LEFT, y: TOP, width: RIGHT - LEFT, height: BOTTOM - TOP, fill: 'none', stroke: COLOUR.axis, 'stroke-width': 1 }))
  out.push(
    textEl(t.xLabel, { x: (LEFT + RIGHT) / 2, y: H - 14, 'font-size': 13, 'text-anchor': 'middle', fill: COLOUR.axis, class: 'x-label' }),
  )
  out.push(
    textEl(t.yLabel, {
      x: 0,
      y: 0,
      transform: `translate(16 ${num((TOP + BOTTOM) / 2)}) rotate(-90)`,
      'font-size': 13,
      'text-anchor': 'middle',
      fill: COLOUR.axis,
      class: 'y-label',
    }),
  )

  // The curve: one polyline per run of finite values, so a gap shows where a value is missing.
  const runs: TimelinePoint[][] = [[]]
  for (const p of points) {
    if (Number.isFinite(p.y)) runs[runs.length - 1]!.push(p)
    else if (runs[runs.length - 1]!.length > 0) runs.push([])
  }
  const curveStyle = { fill: 'none', stroke: COLOUR.curve, 'stroke-width': 1.6, 'stroke-linejoin': 'round' }
  const dashed = t.curve === 'index' ? { 'stroke-dasharray': '5 4' } : {}
  out.push(
    el(
      'g',
      { class: `curve ${t.curve}` },
      ...runs
        .filter((r) => r.length > 0)
        .map((r) => el('polyline', { points: r.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' '), ...curveStyle, ...dashed })),
      ...(points.length <= MAX_DOTS
        ? points.filter((p) => p.mark === null && !p.kept).map((p) => el('circle', { cx: sx(p.x), cy: py(p), r: 2.2, fill: COLOUR.curve }))
        : []),
    ),
  )

  // Marks, bottom to top: skips, saves and deletions, the kept rings, the best's star.
  const mark = (kind: MarkClass, p: TimelinePoint) =>
    el(
      'g',
      { class: `mark ${kind}`, 'data-x': String(p.x), 'data-value': Number.isFinite(p.y) ? String(p.y) : 'none' },
      el('title', {}, xmlText(p.title)),
      markShape[kind](sx(p.x), py(p)),
    )
  const layer: string[] = []
  for (const kind of ['skip', 'save', 'deleted'] as const) for (const p of points) if (p.mark === kind) layer.push(mark(kind, p))
  for (const p of points) if (p.kept) layer.push(mark('kept', p))
  for (const p of points) if (p.best) layer.push(mark('best', p))
  out.push(el('g', { class: 'marks' }, ...layer))

  out.push(legend(t, points))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" role="img">${el('title', {}, xmlText(t.title))}${out.join('')}</svg>\n`
}

/** Words wrapped at `width` characters. */
const wrap = (text: string, width: number): string[] => {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

const legend = (t: Timeline, points: ReadonlyArray<TimelinePoint>): string => {
  const x = RIGHT + 22
  let y = TOP + 12
  const items: string[] = []
  const row = (sample: string, label: string, cls: string) => {
    items.push(el('g', { class: `legend-item ${cls}` }, sample, textEl(label, { x: x + 24, y: y + 4, 'font-size': 12, fill: COLOUR.axis })))
    y += 24
  }
  const count = (f: (p: TimelinePoint) => boolean) => points.filter(f).length
  row(
    el('line', {
      x1: x,
      x2: x + 16,
      y1: y,
      y2: y,
      stroke: COLOUR.curve,
      'stroke-width': 1.6,
      ...(t.curve === 'index' ? { 'stroke-dasharray': '5 4' } : {}),
    }),
    t.curve === 'log' ? `${t.yLabel} (training log)` : `${t.yLabel} (checkpoints)`,
    'curve',
  )
  const kinds: ReadonlyArray<readonly [MarkClass, string, number]> = [
    ['save', 'save', count((p) => p.mark === 'save' || p.mark === 'deleted')],
    ['skip', 'skip', count((p) => p.mark === 'skip')],
    ['deleted', 'deleted by retention', count((p) => p.mark === 'deleted')],
    ['kept', 'kept', count((p) => p.kept)],
    ['best', 'best', count((p) => p.best)],
  ]
  for (const [kind, label, n] of kinds) {
    if (n === 0) continue
    // The star sits 22 px above its point: its sample point is placed so the star lines up with the label.
    row(markShape[kind](x + 8, kind === 'best' ? y + 22 : y), kind === 'best' ? label : `${label} (${n})`, kind)
  }
  y += 6
  const notes = t.notes.flatMap((n) => wrap(n, 30))
  for (const line of notes) {
    items.push(textEl(line, { x, y, 'font-size': 10.5, fill: COLOUR.muted, class: 'note' }))
    y += 14
  }
  return el('g', { class: 'legend' }, ...items)
}
