import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt ls marks the last checkpoint of saveLast, and never calls it the best, as Checkpointer.best() does not', () => {
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

  it('marks last in the text (mark column) and in --json (last: true on its checkpoint, and its path at the top)', async () => {
    const dir = join(tmp.dir, 'with-last')
    const c = await createCheckpointer({
      storage: fsStorage(dir),
      filepath: 'e{epoch}.safetensors',
      monitor: 'val_loss',
      saveBestOnly: true,
      saveLast: true,
      ...quiet,
    })
    for (const [epoch, v] of [0.5, 0.3, 0.4].entries()) await c.onEpochEnd({ epoch, logs: { val_loss: v } }, tensorsFor(epoch))
    const last = (await c.list()).filter((e) => e.last === true).map((e) => e.path)
    await c.close()
    expect(last).toEqual(['last.safetensors'])
    const json = JSON.parse((await ckpt(['ls', dir, '--json'])).stdout) as {
      last: string | null
      checkpoints: Array<{ path: string; best: boolean; latest: boolean; last: boolean }>
    }
    expect(json.last).toBe('last.safetensors')
    expect(json.checkpoints.map((e) => [e.path, e.best, e.latest, e.last])).toEqual([
      ['e1.safetensors', false, false, false],
      ['e2.safetensors', true, false, false],
      ['last.safetensors', false, true, true],
    ])
    const text = (await ckpt(['ls', dir])).stdout.split('\n')
    expect(text.find((l) => l.startsWith('last.safetensors'))).toMatch(/\slast,latest\s/)
    expect(text.find((l) => l.startsWith('e2.safetensors'))).toMatch(/\sbest\s/)
  })
})
