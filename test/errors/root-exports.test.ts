import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as root from '../../src/index.js'

/** The runtime names the README's root-entry table lists. */
const documented = (): string[] => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const table = readme.slice(readme.indexOf('The root entry `ckpt` exports exactly these runtime names'), readme.indexOf('**Errors.**'))
  return [...table.matchAll(/\| [a-z]+ \| (.+) \|/g)].flatMap((m) => [...m[1]!.matchAll(/`([A-Za-z0-9_]+)`/g)].map((n) => n[1]!))
}

describe('the root entry is fenced: it exports the documented API and nothing else', () => {
  it('the README table and the module agree name for name', () => {
    const names = documented()
    expect(names.length).toBeGreaterThan(30)
    expect(Object.keys(root).sort()).toEqual([...names].sort())
  })
  it('no test helper, message builder or internal constant leaks', () => {
    for (const internal of [
      'fsFaults',
      'FS_OPS',
      'MIN_TOKENS',
      'MAX_TOKENS',
      'batchesAdded',
      'improvedMessage',
      'fromDriver',
      'memoiseOpen',
      'decodeIndex',
      'loadIndex',
    ])
      expect(root).not.toHaveProperty(internal)
  })
})
