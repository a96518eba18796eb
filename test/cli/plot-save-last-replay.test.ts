import { afterAll, describe, expect, it } from 'vitest'
import { elements, hasClass, parseXml, writeRun } from './pictures.js'
import { ckpt, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt plot and report of a saveLast run, given its own log and policy', () => {
  it('do not say the replay keeps other checkpoints than the index (last is not retention’s), and say nothing else is wrong', async () => {
    // Epochs 1 and 2 improve and are saved; 3 and 4 do not (skips); last holds epoch 4.
    const options = { filepath: 'e{epoch:02d}.safetensors', monitor: 'val_loss', saveBestOnly: true, maxToKeep: 1, saveLast: true }
    const run = await writeRun(
      tmp.dir,
      options,
      [0.5, 0.4, 0.6, 0.7].map((v) => ({ val_loss: v })),
    )
    for (const command of ['plot', 'report']) {
      const r = await ckpt([command, run.folder, '--log', run.log, '--config', run.policy])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr, command).not.toContain('another log or policy')
      expect(r.stderr, command).toBe('')
      parseXml(r.stdout, command === 'report' ? 'application/xhtml+xml' : 'image/svg+xml')
    }
    // The regular checkpoint (epoch 2) is the best, drawn as kept; last (epoch 4) too, at its skip.
    const doc = parseXml((await ckpt(['plot', run.folder, '--log', run.log, '--config', run.policy])).stdout)
    const marks = (kind: string) =>
      elements(doc, 'g')
        .filter((g) => hasClass(g, 'mark') && hasClass(g, kind))
        .map((g) => Number(g.getAttribute('data-x')))
    expect(marks('best')).toEqual([2])
    expect(marks('kept')).toEqual([2, 4])
  })
})
