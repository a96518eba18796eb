// Issue 12, goal 4: opening a 100k-entry index takes at most 1 s. A folder on fs with 100,000 checkpoints in the layout
// ckpt writes (a version-1 index converted by one save: a segment of 100,000 entries and the index file) is opened
// by a new Checkpointer. The bound here is generous for a loaded 2-core CI machine (the bench reports the time).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir, tensorsFor, versionOneIndex } from './support.js'

const tmp = tempDir('ckpt-open-100k-')
afterAll(tmp.cleanup)

const N = 100_000
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const

it('a folder of 100,001 checkpoints opens within the budget, every entry listed in order', async () => {
  writeFileSync(join(tmp.dir, INDEX_KEY), versionOneIndex(N))
  const writer = await createCheckpointer({ storage: fsStorage(tmp.dir), ...options })
  await writer.onEpochEnd({ epoch: N, logs: { loss: 0 } }, tensorsFor(N))
  await writer.close()
  const head = (await loadIndex(fsStorage(tmp.dir)))!.state.head
  expect(head.segments).toHaveLength(1)

  const started = process.hrtime.bigint()
  const reader = await createCheckpointer({ storage: fsStorage(tmp.dir), ...options })
  const openMs = Number(process.hrtime.bigint() - started) / 1e6
  console.log(`opened ${N + 1} checkpoints in ${openMs.toFixed(0)} ms`)
  const listed = await reader.list()
  expect(listed).toHaveLength(N + 1)
  expect(listed[0]!.path).toBe('seed/e1.safetensors')
  expect(listed[N - 1]!.path).toBe(`seed/e${N}.safetensors`)
  expect((await reader.latest())!.path).toBe(`run/e${N + 1}.safetensors`)
  expect((await reader.best())!.path).toBe('run/e100001.safetensors')
  // A budget against a hang or a quadratic decode, generous for a loaded 2-core machine; the 1 s is the bench's.
  expect(openMs).toBeLessThan(15_000)
  await reader.close()
}, 180_000)
