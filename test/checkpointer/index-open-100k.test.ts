// Issue 12, goal 4: opening a 100k-entry index takes at most 1 s. A folder on fs with 100,000 checkpoints in the layout
// ckpt writes (a version-1 index converted by one save: a segment of 100,000 entries and the index file) is opened
// by a new Checkpointer. The bound here is generous for a loaded 2-core CI machine (the bench reports the time).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { loadIndex } from '../../src/checkpointer/index-store.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir, tensorsFor } from './support.js'

const tmp = tempDir('ckpt-open-100k-')
afterAll(tmp.cleanup)

const N = 100_000
const options = { filepath: 'run/e{epoch}.safetensors', monitor: 'loss', log: () => {} } as const

it('a folder of 100,001 checkpoints opens within the budget, every entry listed in order', async () => {
  const sha256 = `sha256:${'0'.repeat(64)}`
  const policyState = { version: 1, best: null, batchesSinceSave: 0, lastBatchSeen: null, step: 0, trigger: null }
  const checkpoints = Array.from({ length: N }, (_, i) => ({
    path: `seed/e${i + 1}.safetensors`,
    format: 'safetensors',
    epoch: i,
    step: 0,
    batch: null,
    metrics: { loss: 1 / (i + 1) },
    score: 1 / (i + 1),
    time: 1_000_000 + i,
    policyState,
    files: [{ key: `seed/e${i + 1}.safetensors`, size: 384, sha256 }],
  }))
  const v1 = {
    format: 'ckpt-index',
    version: 1,
    checkpoints,
    replacing: [],
    removing: [],
    policyState,
    ranking: { monitor: 'loss', mode: 'min' },
  }
  writeFileSync(join(tmp.dir, INDEX_KEY), JSON.stringify(v1, null, 1))
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
