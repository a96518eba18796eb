// The demo's loss chart: inline SVG, redrawn whole at each epoch end (a few dozen points).

/** One finished epoch, and what the checkpoint callback did at its end. */
export interface Point {
  /** 0-based. */
  readonly epoch: number
  readonly loss: number
  readonly valLoss: number
  /** The checkpoint saved at this epoch's end, or `null` (skipped: no improvement). */
  readonly saved: string | null
  /** The checkpoints retention deleted after this epoch's save, with the epoch each was saved at. */
  readonly deleted: ReadonlyArray<{ readonly path: string; readonly epoch: number | null }>
}

const [W, H, LEFT, RIGHT, TOP, BOTTOM] = [820, 300, 50, 15, 15, 30]
const COLORS = { loss: '#3b6fd8', valLoss: '#e08a1e', save: '#2f9d4a', skip: '#999', deleted: '#c0392b', resumed: '#555' }

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

/** Draws `points` (x: epoch 1…epochs, y: loss), a marker per save, skip and deletion, and a dashed line per resume. */
export const drawChart = (svg: HTMLElement, points: ReadonlyArray<Point>, resumedAt: ReadonlyArray<number>, epochs: number): void => {
  const values = points.flatMap((p) => [p.loss, p.valLoss]).filter(Number.isFinite)
  const top = values.length === 0 ? 1 : Math.max(...values) * 1.05
  const x = (epoch: number) => LEFT + ((epoch + 1) / epochs) * (W - LEFT - RIGHT)
  const y = (v: number) => TOP + (1 - v / top) * (H - TOP - BOTTOM)
  const line = (pick: (p: Point) => number, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${x(p.epoch)},${y(pick(p))}`).join(' ')}"/>`
  const marks = points.flatMap((p) => {
    const [cx, cy] = [x(p.epoch), y(p.valLoss)]
    const mark =
      p.saved !== null
        ? `<path class="save" data-epoch="${p.epoch}" d="M${cx},${cy - 7}l6,10h-12z" fill="${COLORS.save}"><title>epoch ${p.epoch + 1}: saved ${escape(p.saved)}</title></path>`
        : `<circle class="skip" data-epoch="${p.epoch}" cx="${cx}" cy="${cy}" r="5" fill="#fff" stroke="${COLORS.skip}" stroke-width="2"><title>epoch ${p.epoch + 1}: skipped (no improvement)</title></circle>`
    const deletions = p.deleted.map((d) => {
      const at = points.find((q) => q.epoch === d.epoch)
      const [dx, dy] = at === undefined ? [cx, TOP + 8] : [x(at.epoch), y(at.valLoss) + 12]
      return `<text class="deleted" x="${dx}" y="${dy}" text-anchor="middle" fill="${COLORS.deleted}" font-size="14">✕<title>deleted by retention after epoch ${p.epoch + 1}: ${escape(d.path)}</title></text>`
    })
    return [mark, ...deletions]
  })
  const resumes = resumedAt.map(
    (e) =>
      `<line class="resumed" x1="${x(e - 0.5)}" x2="${x(e - 0.5)}" y1="${TOP}" y2="${H - BOTTOM}" stroke="${COLORS.resumed}" stroke-dasharray="4 3"><title>reloaded: resumed at epoch ${e + 1}</title></line>`,
  )
  const ticks = Array.from({ length: 5 }, (_, i) => (top * i) / 4).map(
    (v) => `<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#666">${v.toFixed(2)}</text>`,
  )
  const epochTicks = Array.from({ length: epochs }, (_, e) => e)
    .filter((e) => (e + 1) % 5 === 0 || e === 0)
    .map((e) => `<text x="${x(e)}" y="${H - 10}" text-anchor="middle" font-size="11" fill="#666">${e + 1}</text>`)
  svg.innerHTML = [
    `<line x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${H - BOTTOM}" stroke="#aaa"/>`,
    `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${H - BOTTOM}" y2="${H - BOTTOM}" stroke="#aaa"/>`,
    ...ticks,
    ...epochTicks,
    line((p) => p.loss, COLORS.loss),
    line((p) => p.valLoss, COLORS.valLoss),
    ...resumes,
    ...marks,
  ].join('')
}
