import { printRow, type BenchSection } from './harness.js'

const sections: Array<readonly [string, () => Promise<{ default: BenchSection }>]> = [
  ['policy', () => import('./policy.js')],
  ['format', () => import('./format.js')],
  ['storage', () => import('./storage.js')],
  ['checkpointer', () => import('./checkpointer.js')],
  ['sharded', () => import('./sharded.js')],
  ['index-scale', () => import('./index-scale.js')],
  ['tfjs', () => import('./tfjs.js')],
  ['browser', () => import('./browser-saves.js')],
  ['keras', () => import('./keras.js')],
]

const only = process.argv.slice(2)
for (const [name, load] of sections) {
  if (only.length > 0 && !only.includes(name)) continue
  // A section that cannot load (a missing optional dependency) is reported, and the others still run.
  let section: BenchSection
  try {
    section = (await load()).default
  } catch (e) {
    console.log(`\n== ${name} ==\nskipped: the section did not load: ${(e as Error).message.split('\n')[0]}`)
    process.exitCode = 1
    continue
  }
  console.log(`\n== ${section.name} ==`)
  // A section that fails while running (a server that does not start) is reported too, and the next one runs.
  try {
    for (const row of await section.run()) printRow(row)
  } catch (e) {
    console.log(`failed: the section stopped: ${(e as Error).stack ?? String(e)}`)
    process.exitCode = 1
  }
}
