// Child process for the hostile HDF5 tests (see h5-support.ts): decodes each file named on the command line
// with decodeWeightsH5 and prints one JSON line of outcomes, with each decode's own time in ms (h5wasm is
// loaded first, so the time is the decode's alone). A decode that never returns leaves the parent to kill
// this process at its deadline.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { decodeWeightsH5, loadH5 } from '../../src/keras/h5.js'

await loadH5()

const outcomes = []
for (const path of process.argv.slice(2)) {
  const bytes = new Uint8Array(readFileSync(path))
  const started = performance.now()
  const r = await decodeWeightsH5(bytes, basename(path))
  const ms = Math.round(performance.now() - started)
  outcomes.push(r._tag === 'Left' ? { ms, left: r.left } : { ms, groups: r.right.groups.map((g) => g.path) })
}
process.stdout.write(`${JSON.stringify(outcomes)}\n`)
