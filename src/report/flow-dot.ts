import { COLOUR } from './colours.js'
import type { Flow } from './flow.js'
import { plainText } from './xml.js'

/**
 * A DOT string: backslashes and quotes escaped (so a path's `\l` or `\N` is not a Graphviz escape), lines joined
 * with Graphviz's centred line break, and any character DOT cannot hold in a string replaced by U+FFFD.
 */
const dotString = (lines: ReadonlyArray<string>): string =>
  `"${lines.map((l) => plainText(l).replace(/[\\"]/g, (c) => `\\${c}`)).join('\\n')}"`

/** The flow as a Graphviz digraph: `dot -Tsvg` draws it top to bottom, each note beside its node. */
export const flowDot = (flow: Flow): string => {
  const out: string[] = [
    'digraph ckpt {',
    `  graph [label=${dotString([flow.title])}, labelloc="t", fontname="Helvetica", fontsize=14, nodesep=0.35, ranksep=0.25];`,
    '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    '  start [label="Start", shape=oval];',
  ]
  let previous = 'start'
  flow.steps.forEach((s, i) => {
    const id = `e${i}`
    if (s.kind === 'gap') out.push(`  ${id} [label=${dotString(s.node)}, style="dashed,rounded", color="${COLOUR.muted}"];`)
    else {
      const colour = s.outcome === 'save' ? COLOUR.save : COLOUR.skip
      const fill = s.outcome === 'save' ? COLOUR.saveFill : COLOUR.skipFill
      out.push(`  ${id} [label=${dotString(s.node)}];`)
      out.push(
        `  n${i} [label=${dotString(s.note)}, shape=note, style="${s.deleted ? 'filled,dashed' : 'filled'}", fillcolor="${fill}", color="${colour}", class="${s.outcome}"];`,
      )
      out.push(`  ${id} -> n${i} [label=${dotString([s.edge])}, color="${colour}", fontcolor="${colour}"];`)
      out.push(`  { rank=same; ${id}; n${i}; }`)
    }
    out.push(`  ${previous} -> ${id};`)
    previous = id
  })
  out.push('}')
  return `${out.join('\n')}\n`
}
