import { describe, expect, it } from 'vitest'
import * as index from '../../src/adapters/tfjs/index.js'
import * as nodeEntry from '../../src/adapters/tfjs/node-entry.js'

// package.json sends Node's `ckpt/tfjs` to node-entry.ts, which lists the adapter's exports by hand (it loads the
// adapter dynamically, to name a missing tfjs package). Its exports must be index.ts's, value for value.
describe("ckpt/tfjs's Node entry", () => {
  it('exports every name index.ts exports, with the same values (functions stay the same functions, classes the same classes)', () => {
    expect(Object.keys(nodeEntry).sort()).toEqual(Object.keys(index).sort())
    for (const [name, value] of Object.entries(index)) expect(nodeEntry[name as keyof typeof nodeEntry], name).toBe(value)
  })
})
