import { afterAll, describe, expect, it } from 'vitest'
import { elements, hasClass, parseXml } from './pictures.js'
import { expectedSteps, flowConfig, flowLog, flowScratch } from './simulate-flow-small.js'
import { ckpt } from './support.js'

afterAll(flowScratch.cleanup)

const svgOf = async (config: string, ...log: string[]) => {
  const r = await ckpt(['simulate', '--config', config, ...log, '--svg'])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return parseXml(r.stdout)
}

const stepsOf = (doc: ReturnType<typeof parseXml>) =>
  elements(doc, 'g')
    .filter((g) => hasClass(g, 'step'))
    .map((g) => ({
      outcome: (g.getAttribute('class') ?? '').replace('step ', ''),
      texts: elements(g, 'text').map((t) => t.textContent ?? ''),
      edge: elements(g, 'text').find((t) => hasClass(t, 'edge-label'))?.textContent ?? null,
      dashed: elements(g, 'rect').some((r) => r.getAttribute('stroke-dasharray') !== null),
    }))

describe('ckpt simulate --svg (the --dot diagram, drawn without Graphviz)', () => {
  it('is well-formed SVG with one step per decision: its node, the comparison on its arrow, its save or skip note', async () => {
    const steps = stepsOf(await svgOf(flowConfig, '--csv', flowLog))
    expect(steps.map((s) => s.outcome)).toEqual(expectedSteps.map((s) => s.outcome))
    expectedSteps.forEach((s, i) => {
      expect(steps[i]!.texts).toEqual([...s.node, s.edge, ...s.note])
      expect(steps[i]!.edge).toBe(s.edge)
    })
    expect(steps.map((s) => s.dashed)).toEqual([true, false, false, false, false, false])
  })

  it('saves and skips in two colours: green arrows and notes for saves, orange for skips', async () => {
    const doc = await svgOf(flowConfig, '--csv', flowLog)
    for (const g of elements(doc, 'g').filter((x) => hasClass(x, 'step'))) {
      const colour = hasClass(g, 'save') ? '#2ca02c' : '#ff7f0e'
      expect(elements(g, 'line').at(-1)!.getAttribute('stroke')).toBe(colour)
      expect(elements(g, 'rect').at(-1)!.getAttribute('stroke')).toBe(colour)
    }
  })

  it('a run of 5000 epochs stays readable: runs of skips collapse, at most 300 nodes and one saying how many are left out', async () => {
    // val_loss improves at every 7th epoch (a save: epochs 1, 8, ..., 4999), and not in between: 715 saves, 4285 skips.
    const lines = Array.from({ length: 5000 }, (_, e) =>
      JSON.stringify({ epoch: e, logs: { val_loss: e % 7 === 0 ? 10 - e / 1000 : 20 + (e % 7) } }),
    )
    const history = flowScratch.write('long.jsonl', `${lines.join('\n')}\n`)
    const config = flowScratch.write('long.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'val_loss', saveBestOnly: true }))
    const steps = stepsOf(await svgOf(config, '--events', history))
    expect(steps.length).toBeLessThanOrEqual(301)
    const gaps = steps.filter((s) => s.outcome === 'gap')
    expect(gaps).toHaveLength(1)
    // Before the gap: save, one collapsed node for the 6 skips, save, ...: 150 nodes, 75 saves.
    const first = steps.slice(0, 150)
    expect(first.filter((s) => s.outcome === 'save')).toHaveLength(75)
    expect(first[1]!.texts).toEqual(['Epoch 2 to epoch 7', '6 decisions', 'best of them: 21 > 10', 'skip ×6'])
    // Nodes kept + nodes left out = every save, one node per run of 6 skips, and the last epoch's lone skip.
    const leftOut = Number(/^(\d+) nodes not drawn$/.exec(gaps[0]!.texts[0]!)![1])
    expect(steps.length - 1 + leftOut).toBe(715 + 714 + 1)
    expect(steps.at(-1)!.texts).toEqual(['Epoch 5000', 'val_loss = 21', '21 > 5.002', 'skip'])
  })
})
