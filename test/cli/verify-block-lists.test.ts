import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

// A file over 1 MiB is recorded with a block list (ckpt-blocks/<sha>), which the entry records too: ls and verify
// count and size the checkpoint's own files, as a user sees them, not ckpt's bookkeeping.
it('ckpt verify and ckpt ls count a checkpoint of one 3 MiB file as 1 file of its own size', async () => {
  const dir = join(tmp.dir, 'run')
  const c = await createCheckpointer({ filepath: 'big.safetensors', monitor: 'loss', storage: fsStorage(dir), ...quiet })
  await c.onEpochEnd({ epoch: 0, logs: { loss: 1 } }, { w: { dtype: 'F32', shape: [3 << 18], data: new Float32Array(3 << 18) } })
  await c.close()
  const size = statSync(join(dir, 'big.safetensors')).size
  expect(size).toBeGreaterThan(3 << 20)

  const verified = await ckpt(['verify', dir, '--json'])
  expect(verified.code).toBe(0)
  const [entry] = (JSON.parse(verified.stdout) as { checkpoints: Array<{ files: number; size: number }> }).checkpoints
  expect(entry).toMatchObject({ files: 1, size })
  expect((await ckpt(['verify', dir])).stdout).toContain('(1 file, ')

  const listed = await ckpt(['ls', dir, '--json'])
  expect(listed.code).toBe(0)
  expect(JSON.stringify(JSON.parse(listed.stdout))).toContain('"files":1')
})
