import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt ls ranks by the monitor and mode the index records, as Checkpointer.best() does', () => {
  it('a monitor whose direction its name does not tell (mode max given to the writer) still has a best', async () => {
    const dir = join(tmp.dir, 'custom-metric')
    const c = await createCheckpointer({
      storage: fsStorage(dir),
      filepath: 'e{epoch}.safetensors',
      monitor: 'quality',
      mode: 'max',
      ...quiet,
    })
    for (const [epoch, quality] of [0.2, 0.9, 0.5].entries())
      await c.onEpochEnd({ epoch, logs: { quality, loss: 1 - quality } }, tensorsFor(epoch))
    const best = await c.best()
    await c.close()
    const r = await ckpt(['ls', dir, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { monitor: string; mode: string; best: string }
    expect({ monitor: out.monitor, mode: out.mode, best: out.best }).toEqual({ monitor: 'quality', mode: 'max', best: best!.path })
    expect(best!.path).toBe('e2.safetensors')
  })

  it('the recorded mode wins over what the name suggests (a loss maximised on purpose)', async () => {
    const dir = join(tmp.dir, 'max-loss')
    const c = await createCheckpointer({
      storage: fsStorage(dir),
      filepath: 'e{epoch}.safetensors',
      monitor: 'val_loss',
      mode: 'max',
      ...quiet,
    })
    for (const [epoch, v] of [0.2, 0.9, 0.5].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    const best = await c.best()
    await c.close()
    const out = JSON.parse((await ckpt(['ls', dir, '--json'])).stdout) as { mode: string; best: string }
    expect(out).toMatchObject({ mode: 'max', best: best!.path })
    expect(best!.path).toBe('e2.safetensors')
  })
})
