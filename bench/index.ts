import { printRow, type BenchSection } from './harness.js'

const sections: Array<() => Promise<{ default: BenchSection }>> = [
  () => import('./policy.js'),
  () => import('./format.js'),
  () => import('./storage.js'),
  () => import('./checkpointer.js'),
  () => import('./tfjs.js'),
]

const only = process.argv.slice(2)
for (const load of sections) {
  const section = (await load()).default
  if (only.length > 0 && !only.includes(section.name)) continue
  console.log(`\n== ${section.name} ==`)
  for (const row of await section.run()) printRow(row)
}
