import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { elements, hasClass, marksOf, parseXml, SAMPLE_OPTIONS, SAMPLE_VAL, writeSampleRun } from './pictures.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

// The sample run (pictures.ts): saves at 1, 2, 4, 7, 9; skips at 3, 5 (NaN), 6, 8, 10; saveTopK 2 keeps 7 and 9.
const VAL = SAMPLE_VAL
const options = SAMPLE_OPTIONS
let run: { folder: string; log: string; policy: string }

beforeAll(async () => {
  run = await writeSampleRun(tmp.dir)
})

const plot = async (...args: string[]) => {
  const out = join(tmp.dir, `plot-${Math.random().toString(36).slice(2)}.svg`)
  const r = await ckpt(['plot', run.folder, ...args, '--out', out])
  expect(r.code, r.stderr).toBe(0)
  return { r, svg: readFileSync(out, 'utf8'), doc: parseXml(readFileSync(out, 'utf8')) }
}

const xs = (marks: Array<{ x: number }>) => marks.map((m) => m.x).sort((a, b) => a - b)

describe('ckpt plot: the marks match the index and the log they came from', () => {
  it('with --log and --config: every save, skip and deletion of the replay, the kept of the index, the best', async () => {
    const { r, doc } = await plot('--log', run.log, '--config', run.policy)
    // The independent sources: the index (ls) and the replay (simulate) of the same log and options.
    const ls = JSON.parse((await ckpt(['ls', run.folder, '--json'])).stdout) as {
      checkpoints: Array<{ epoch: number; metrics: Record<string, number> }>
      best: string
    }
    const sim = JSON.parse((await ckpt(['simulate', '--config', run.policy, '--csv', run.log, '--json'])).stdout) as {
      decisions: Array<{ epoch: number; save: boolean; path: string | null }>
      removed: string[]
    }
    const removed = new Set(sim.removed)
    const saved = sim.decisions.filter((d) => d.save)
    expect(xs(marksOf(doc, 'save'))).toEqual(saved.filter((d) => !removed.has(d.path!)).map((d) => d.epoch + 1))
    expect(xs(marksOf(doc, 'deleted'))).toEqual(saved.filter((d) => removed.has(d.path!)).map((d) => d.epoch + 1))
    expect(xs(marksOf(doc, 'skip'))).toEqual(sim.decisions.filter((d) => !d.save).map((d) => d.epoch + 1))
    expect(xs(marksOf(doc, 'kept'))).toEqual(ls.checkpoints.map((c) => c.epoch + 1))
    expect(marksOf(doc, 'best')).toEqual([{ x: Number(/e(\d+)\./.exec(ls.best)![1]), value: String(VAL[8]) }])
    // And by hand.
    expect(xs(marksOf(doc, 'save'))).toEqual([7, 9])
    expect(xs(marksOf(doc, 'deleted'))).toEqual([1, 2, 4])
    expect(xs(marksOf(doc, 'skip'))).toEqual([3, 5, 6, 8, 10])
    // Each mark's value is the log's at that epoch; the NaN epoch is drawn in the "no value" lane.
    for (const kind of ['save', 'deleted', 'skip', 'kept'] as const)
      for (const m of marksOf(doc, kind)) expect(m.value).toBe(Number.isNaN(VAL[m.x - 1]!) ? 'none' : String(VAL[m.x - 1]))
    expect(elements(doc, 'g').some((g) => hasClass(g, 'lane'))).toBe(true)
    // The curve is the log's: one polyline per run of values, broken at the NaN.
    const lines = elements(doc, 'polyline').map((p) => p.getAttribute('points')!.split(' ').length)
    expect(lines).toEqual([4, 5])
    expect(r.stdout).toContain('val_loss per epoch, 10 epochs: 5 saves, 5 skips, 3 deleted, 2 kept, best e09.safetensors')
    expect(r.stderr).toBe('')
  })

  it('has readable axes, a legend with the counts, and a title naming the run', async () => {
    const { doc } = await plot('--log', run.log, '--config', run.policy)
    const ticks = (axis: string) =>
      elements(doc, 'g')
        .filter((g) => hasClass(g, 'tick') && hasClass(g, axis))
        .map((g) => elements(g, 'text')[0]!.textContent)
    expect(ticks('x')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    expect(ticks('y').length).toBeGreaterThanOrEqual(4)
    const text = (cls: string) => elements(doc, 'text').find((t) => hasClass(t, cls))?.textContent
    expect(text('title')).toBe(`${run.folder}: val_loss per epoch`)
    expect(text('x-label')).toBe('epoch')
    expect(text('y-label')).toBe('val_loss')
    const legend = elements(doc, 'g')
      .filter((g) => hasClass(g, 'legend-item'))
      .map((g) => elements(g, 'text')[0]!.textContent)
    expect(legend).toEqual(['val_loss (training log)', 'save (5)', 'skip (5)', 'deleted by retention (3)', 'kept (2)', 'best'])
    expect(
      (await plot('--log', run.log, '--config', run.policy, '--title', 'my run')).doc.getElementsByTagName('title')[0]!.textContent,
    ).toBe('my run')
  })

  it('with --log alone: the whole curve, and only what the index tells (kept saves, the best); the note says why', async () => {
    const { r, doc } = await plot('--log', run.log)
    expect(xs(marksOf(doc, 'save'))).toEqual([7, 9])
    expect(xs(marksOf(doc, 'kept'))).toEqual([7, 9])
    expect(marksOf(doc, 'skip')).toEqual([])
    expect(marksOf(doc, 'deleted')).toEqual([])
    expect(elements(doc, 'polyline').map((p) => p.getAttribute('points')!.split(' ').length)).toEqual([4, 5])
    expect(r.stderr).toBe('ckpt plot: note: Skips and deletions are not in the index: give --config to replay the policy.\n')
  })

  it('without a log: the values the index holds, dashed, and deletions the index still lists', async () => {
    const { doc } = await plot()
    expect(xs(marksOf(doc, 'save'))).toEqual([7, 9])
    expect(
      elements(doc, 'g')
        .find((g) => hasClass(g, 'curve'))!
        .getAttribute('class'),
    ).toBe('curve index')
    expect(elements(doc, 'polyline')).toHaveLength(1)
    expect(elements(doc, 'polyline')[0]!.getAttribute('stroke-dasharray')).not.toBeNull()

    // An index whose retention deletion a crash left pending (in `removing`): drawn as a deletion.
    const copy = join(tmp.dir, 'pending')
    const c = await createCheckpointer({ ...options, storage: fsStorage(copy), ...quiet })
    for (const [epoch, v] of VAL.entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    await c.close()
    const index = JSON.parse(readFileSync(join(copy, 'ckpt-index.json'), 'utf8')) as { checkpoints: unknown[]; removing: unknown[] }
    index.removing.push(index.checkpoints.shift())
    writeFileSync(join(copy, 'ckpt-index.json'), JSON.stringify(index))
    const r = await ckpt(['plot', copy])
    expect(r.code, r.stderr).toBe(0)
    const doc2 = parseXml(r.stdout)
    expect(xs(marksOf(doc2, 'deleted'))).toEqual([7])
    expect(xs(marksOf(doc2, 'kept'))).toEqual([9])
    expect(marksOf(doc2, 'best')).toEqual([{ x: 9, value: '0.45' }])
  })

  it('a run saving at batch ends is drawn per step, at the steps the index records', async () => {
    const dir = join(tmp.dir, 'batches')
    const c = await createCheckpointer({
      filepath: 'b{epoch}-{batch}.safetensors',
      monitor: 'loss',
      saveFreq: 3,
      maxToKeep: 2,
      storage: fsStorage(dir),
      ...quiet,
    })
    const lines: string[] = []
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let batch = 0; batch < 5; batch++) {
        const logs = { loss: 1 / (1 + epoch * 5 + batch) }
        lines.push(JSON.stringify({ epoch, batch, logs }))
        await c.onBatchEnd({ epoch, batch, logs }, tensorsFor(batch))
      }
      const logs = { loss: 1 / (5 + epoch * 5), val_loss: 2 / (5 + epoch * 5) }
      lines.push(JSON.stringify({ epoch, logs }))
      await c.onEpochEnd({ epoch, logs }, tensorsFor(epoch))
    }
    const kept = await c.list()
    await c.close()
    const history = join(tmp.dir, 'batches.jsonl')
    writeFileSync(history, `${lines.join('\n')}\n`)
    const policy = join(tmp.dir, 'batches.json')
    writeFileSync(policy, JSON.stringify({ filepath: 'b{epoch}-{batch}.safetensors', monitor: 'loss', saveFreq: 3, maxToKeep: 2 }))
    const r = await ckpt(['plot', dir, '--log', history, '--config', policy])
    expect(r.code, r.stderr).toBe(0)
    const doc = parseXml(r.stdout)
    // Saves every 3 batches: steps 3, 6, 9; maxToKeep 2 deleted the first.
    expect(kept.map((e) => e.step)).toEqual([6, 9])
    expect(xs(marksOf(doc, 'kept'))).toEqual([6, 9])
    expect(xs(marksOf(doc, 'save'))).toEqual([6, 9])
    expect(xs(marksOf(doc, 'deleted'))).toEqual([3])
    expect(marksOf(doc, 'skip')).toEqual([])
    expect(elements(doc, 'text').find((t) => hasClass(t, 'x-label'))?.textContent).toBe('step')
  })
})
