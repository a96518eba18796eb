/**
 * One step of the big-archive test, in a child of its own (`node --expose-gc --import tsx`), so that its peak RSS is
 * its own: `save DIR BYTES` (not measured), `export DIR FILE` (the whole run, written to FILE chunk by chunk), or
 * `import FILE DIR` (from a disk-backed Blob, as a file picker's File). Prints one JSON line.
 */
import { openAsBlob } from 'node:fs'
import { open } from 'node:fs/promises'
import { createCheckpointer } from '../../../src/checkpointer/checkpointer.js'
import { exportRun, importCheckpoints } from '../../../src/checkpointer/export/index.js'
import { fsStorage } from '../../../src/storage/fs.js'
import { patternTensors } from '../../big/support/pattern.js'
import { measure } from '../../hostile/support/peak.js'

const quiet = { log: () => {} }
const [op, a, b] = process.argv.slice(2)

const run = async (): Promise<unknown> => {
  if (op === 'save') {
    const c = await createCheckpointer({
      storage: fsStorage(a!),
      filepath: 'big.safetensors',
      monitor: 'loss',
      immutableSnapshots: true,
      ...quiet,
    })
    await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, patternTensors(Number(b)))
    await c.close()
    return {}
  }
  if (op === 'export') {
    const m = await measure(async () => {
      const archive = await exportRun(fsStorage(a!))
      const file = await open(b!, 'w')
      try {
        for await (const chunk of archive) await file.write(chunk)
      } finally {
        await file.close()
      }
      return archive.size
    })
    return { elapsedMs: m.elapsedMs, growthBytes: m.growthBytes, size: m.value }
  }
  if (op === 'import') {
    const m = await measure(async () => importCheckpoints(fsStorage(b!), await openAsBlob(a!), quiet))
    return { elapsedMs: m.elapsedMs, growthBytes: m.growthBytes, imported: m.value.imported.map((e) => e.path) }
  }
  throw new Error(`unknown op ${op}`)
}

process.stdout.write(`${JSON.stringify(await run())}\n`)
