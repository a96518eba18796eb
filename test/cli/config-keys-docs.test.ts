import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS } from '../../src/cli/config-keys.js'
import { decodePolicyOptions } from '../../src/policy/index.js'
import { POLICY_KEYS } from '../support/option-keys.js'
import { ckpt, repoRoot } from './support.js'

// Every option of PolicyOptions, checked by tsc both ways (test/support/option-keys.ts): a new option fails this file
// until the lists below (the help's, docs/cli.md's) name it.
const options = Object.keys(POLICY_KEYS).sort()

/** The keys docs/cli.md lists for `--config`: the backticked names of that row, after "(without `storage`):". */
const documented = (): string[] => {
  const row = readFileSync(`${repoRoot}docs/cli.md`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('| `--config FILE` |'))!
  const list = row.slice(row.indexOf('(without `storage`):'), row.indexOf('. Defaults'))
  return [...list.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!).filter((k) => k !== 'storage')
}

describe('ckpt simulate --config: the documented keys are the ones it accepts', () => {
  it("docs/cli.md, the --help text and the keys the CLI knows are PolicyOptions' keys, every one of them", async () => {
    expect(documented().sort()).toEqual(options)
    expect([...CONFIG_KEYS].sort()).toEqual(options)
    const help = (await ckpt(['simulate', '--help'])).stdout
    const helpList = help.slice(help.indexOf('the keys:'), help.indexOf('--csv FILE'))
    expect(
      [...helpList.matchAll(/\b([a-z][A-Za-z]+)\b/g)]
        .map((m) => m[1]!)
        .filter((w) => w !== 'the' && w !== 'keys')
        .sort(),
    ).toEqual(options)
  })

  it('decodePolicyOptions accepts each of them and rejects another name as unknown', () => {
    // A key given as undefined is no option at all, unless the name is unknown: that is an issue whatever the value.
    const rejected = (key: string) => {
      const r = decodePolicyOptions({ [key]: undefined, filepath: 'e{epoch}.keras' })
      return r._tag === 'Left' && r.left.issues.some((i) => i.option === key)
    }
    for (const key of options) expect(rejected(key), key).toBe(false)
    expect(rejected('saveBestOnyl')).toBe(true)
  })
})
