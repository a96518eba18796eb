import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt ls never calls the last checkpoint of saveLast the best, as Checkpointer.best() does not', () => {
  it('a folder whose only checkpoint is last (saveTopK 0, exact retention): latest, and no best', async () => {
    const dir = join(tmp.dir, 'only-last')
    const c = await createCheckpointer({
      storage: fsStorage(dir),
      filepath: 'e{epoch}.safetensors',
      monitor: 'val_loss',
      saveTopK: 0,
      keepLatest: false,
      keepBest: false,
      saveLast: true,
      ...quiet,
    })
    for (const [epoch, v] of [0.5, 0.3, 0.4].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    expect((await c.list()).map((e) => e.path)).toEqual(['last.safetensors'])
    expect(await c.best()).toBeNull()
    await c.close()
    const r = await ckpt(['ls', dir, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ best: null, latest: 'last.safetensors' })
  })
})
