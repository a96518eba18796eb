import { afterAll, describe, expect, it } from 'vitest'
import { elements, hasClass, parseXml, writeRun } from './pictures.js'
import { spawnCli, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt plot: values that differ only in their last bits (0.3 and 0.1 + 0.2)', () => {
  it('end with an axis of distinct ticks, instead of a tick loop that never ends (a run must not hang plot or report)', async () => {
    const run = await writeRun(tmp.dir, { filepath: 'e{epoch:02d}.safetensors', monitor: 'val_loss' }, [
      { val_loss: 0.3 },
      { val_loss: 0.1 + 0.2 },
    ])
    // A child process with a small heap: before the fix the tick loop pushed ticks until the heap ran out.
    for (const command of ['plot', 'report']) {
      const r = await spawnCli([command, run.folder], { env: { NODE_OPTIONS: '--max-old-space-size=192' } })
      expect(r.code, r.stderr.slice(0, 500)).toBe(0)
      const doc = parseXml(r.stdout, command === 'report' ? 'application/xhtml+xml' : 'image/svg+xml')
      const ticks = elements(doc, 'g').filter((g) => hasClass(g, 'tick') && hasClass(g, 'y'))
      expect(ticks.length).toBeGreaterThanOrEqual(2)
      expect(ticks.length).toBeLessThanOrEqual(12)
      const ys = ticks.map((g) => Number(elements(g, 'line')[0]!.getAttribute('y1')))
      expect(new Set(ys).size, 'distinct tick positions').toBe(ys.length)
    }
  }, 120_000)
})
