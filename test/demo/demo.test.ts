import { describe, expect, it } from 'vitest'
import { createCheckpointer, verifyEntry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { tempDir } from '../checkpointer/support.js'
import { runDemo as run } from './support/run-demo.js'

describe('npm run demo (examples/demo.ts)', () => {
  it('into a folder whose parent does not exist yet: trains in a child process, survives its SIGKILL, resumes from the latest checkpoint and keeps the top 3', async () => {
    const { dir, cleanup } = tempDir('ckpt-demo-')
    try {
      const { code, out } = await run(['--storage', `${dir}/runs/checkpoints`, '--epochs', '6', '--kill-at', '3'])
      expect(code, out).toBe(0)
      expect(out).toContain('[killed the training process with SIGKILL in epoch 4]')
      expect(out).toMatch(/restored epoch_0[1-3]-val_loss_\d\.\d{4}\/model\.json/)
      // What the demo left is a sound checkpoint folder: every entry verifies, at most 3 are kept.
      const storage = fsStorage(`${dir}/runs/checkpoints`)
      const ckpt = await createCheckpointer({
        storage,
        filepath: 'epoch_{epoch:02d}-val_loss_{val_loss:.4f}/model.json',
        saveBestOnly: true,
        saveTopK: 3,
        log: () => {},
      })
      const entries = await ckpt.list()
      expect(entries.length).toBeGreaterThan(0)
      expect(entries.length).toBeLessThanOrEqual(3)
      for (const e of entries) expect(await verifyEntry(storage, e)).toBeNull()
      expect(out).toContain(`${entries.at(-1)!.path}`)
    } finally {
      cleanup()
    }
  }, 180_000)
})
