import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { elements, hasClass, parseXml, toolMissing } from './pictures.js'
import { expectedSteps, flowConfig, flowLog, flowScratch } from './simulate-flow-small.js'
import { ckpt } from './support.js'

afterAll(flowScratch.cleanup)

const dotMissing = toolMissing('dot', 'graphviz')
if (dotMissing !== null) console.warn(`skipped: Graphviz accepting ckpt simulate --dot: ${dotMissing}`)

const dot = async (...extra: string[]) => {
  const r = await ckpt(['simulate', '--config', flowConfig, '--csv', flowLog, '--dot', ...extra])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r.stdout
}

describe('ckpt simulate --dot', () => {
  it('draws Start, a node per epoch end with its value, and a save or skip note per node, the arrow labelled with the comparison', async () => {
    const text = await dot()
    expect(text).toMatch(/^digraph ckpt \{\n/)
    expect(text).toContain('start [label="Start", shape=oval];')
    expectedSteps.forEach((s, i) => {
      const colour = s.outcome === 'save' ? '#2ca02c' : '#ff7f0e'
      expect(text).toContain(`  e${i} [label="${s.node.join('\\n')}"];`)
      expect(text).toContain(`  e${i} -> n${i} [label="${s.edge}", color="${colour}", fontcolor="${colour}"];`)
      expect(text).toContain(`  n${i} [label="${s.note.join('\\n')}", shape=note,`)
      expect(text).toContain(`  { rank=same; e${i}; n${i}; }`)
      expect(text).toContain(`  ${i === 0 ? 'start' : `e${i - 1}`} -> e${i};`)
    })
    // The save retention deleted later is dashed; the others are not.
    expect(text).toMatch(/n0 \[[^\n]*style="filled,dashed"/)
    expect(text).toMatch(/n1 \[[^\n]*style="filled"/)
    expect(text.match(/-> n\d+/g)).toHaveLength(6)
  })

  it('--saves-only draws only the saves', async () => {
    const text = await dot('--saves-only')
    expect(text.match(/ -> n\d+ \[label="([^"]*)"/g)?.map((m) => m.replace(/.*label="/, '').replace(/"$/, ''))).toEqual([
      '0.6 < inf',
      '0.5 < 0.6',
      '0.4 < 0.5',
    ])
  })

  it('--dot with --json or --svg is a usage error', async () => {
    for (const other of ['--json', '--svg']) {
      const r = await ckpt(['simulate', '--config', flowConfig, '--csv', flowLog, '--dot', other])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('give at most one of --json, --dot and --svg')
    }
  })

  it.skipIf(dotMissing !== null)(
    "is accepted by Graphviz's dot, which lays out every node and arrow, each note beside its node",
    async () => {
      const r = spawnSync('dot', ['-Tsvg'], { input: await dot(), encoding: 'utf8' })
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
      const svg = parseXml(r.stdout)
      const nodes = elements(svg, 'g').filter((g) => hasClass(g, 'node'))
      const edges = elements(svg, 'g').filter((g) => hasClass(g, 'edge'))
      expect(nodes).toHaveLength(1 + 2 * expectedSteps.length)
      expect(edges).toHaveLength(2 * expectedSteps.length)
      const titled = (id: string) => nodes.find((n) => elements(n, 'title')[0]?.textContent === id)!
      const textsOf = (id: string) => elements(titled(id), 'text').map((t) => t.textContent)
      const yOf = (id: string) => elements(titled(id), 'text').map((t) => Number(t.getAttribute('y')))
      expectedSteps.forEach((s, i) => {
        expect(textsOf(`e${i}`)).toEqual(s.node)
        expect(textsOf(`n${i}`)).toEqual(s.note)
        // rank=same: the note is on the node's row (their text blocks share a centre line).
        const mid = (ys: number[]) => (Math.min(...ys) + Math.max(...ys)) / 2
        expect(Math.abs(mid(yOf(`e${i}`)) - mid(yOf(`n${i}`)))).toBeLessThan(2)
      })
      const labels = edges.flatMap((e) => elements(e, 'text').map((t) => t.textContent))
      expect(labels).toEqual(expectedSteps.map((s) => s.edge))
    },
  )
})
