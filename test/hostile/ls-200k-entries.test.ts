import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { INDEX_KEY, type Entry } from '../../src/checkpointer/index.js'
import { ckpt, tempDir } from '../cli/support.js'

const tmp = tempDir('ckpt-hostile-ls-')
afterAll(tmp.cleanup)

const N = 200_000

it('ckpt ls lists an index of 200k entries (no argument-list spread of the rows)', async () => {
  const sha256 = `sha256:${'0'.repeat(64)}`
  const checkpoints: Entry[] = Array.from({ length: N }, (_, i) => ({
    path: `e${i}.safetensors`,
    format: 'safetensors',
    epoch: i,
    step: i,
    batch: null,
    metrics: { loss: 1 / (i + 1) },
    score: 1 / (i + 1),
    time: 0,
    files: [{ key: `e${i}.safetensors`, size: 1, sha256 }],
    policyState: null,
  }))
  // JSON.stringify directly: the index codec's encode takes seconds over 200k entries, and the values are JSON already
  const bytes = JSON.stringify({
    format: 'ckpt-index',
    version: 1,
    checkpoints,
    replacing: [],
    removing: [],
    policyState: null,
    ranking: { monitor: 'loss', mode: 'min' },
  })
  writeFileSync(join(tmp.dir, INDEX_KEY), bytes)
  const started = Date.now()
  const r = await ckpt(['ls', tmp.dir])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(r.stdout).toContain(`${N} checkpoints`)
  expect(r.stdout).toContain(`e${N - 1}.safetensors`)
  // A guard against a hang or quadratic blow-up, not a speed test: generous for a loaded 2-core CI machine.
  expect(Date.now() - started).toBeLessThan(45_000)
}, 90_000)
