import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { elements, marksOf, parseXml } from './pictures.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

describe('ckpt plot of a resumed run whose log repeats epochs (CSVLogger with append=True)', () => {
  it('draws the later lines, the ones the checkpoints came from, and says so', async () => {
    const options = { filepath: 'e{epoch}.safetensors', monitor: 'val_loss', saveBestOnly: true, maxToKeep: 2 }
    const folder = join(tmp.dir, 'run')
    const rows: string[] = ['epoch,val_loss']
    const train = async (from: number, values: number[]) => {
      const c = await createCheckpointer({ ...options, storage: fsStorage(folder), ...quiet })
      for (const [i, v] of values.entries()) {
        await c.onEpochEnd({ epoch: from + i, logs: { val_loss: v } }, tensorsFor(from + i))
        rows.push(`${from + i},${v}`)
      }
      await c.close()
    }
    // Epochs 1-6 (saves 1-3), killed; resumed from epoch 3's checkpoint, epochs 4-8 run again with other values.
    await train(0, [0.9, 0.8, 0.7, 0.75, 0.72, 0.71])
    await train(3, [0.65, 0.6, 0.62, 0.55, 0.58])
    const log = join(tmp.dir, 'training.log')
    writeFileSync(log, `${rows.join('\r\n')}\r\n`)
    const policy = join(tmp.dir, 'policy.json')
    writeFileSync(policy, JSON.stringify(options))

    const r = await ckpt(['plot', folder, '--log', log, '--config', policy])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe('ckpt plot: note: 3 log lines repeat an earlier epoch (a resumed run); the later ones are drawn.\n')
    const doc = parseXml(r.stdout)
    const curve = elements(doc, 'polyline')
    expect(curve).toHaveLength(1)
    expect(curve[0]!.getAttribute('points')!.split(' ')).toHaveLength(8)
    // The replay of the later lines keeps what the index holds: epochs 5 and 7 (no note says otherwise).
    expect(marksOf(doc, 'kept')).toEqual([
      { x: 5, value: '0.6' },
      { x: 7, value: '0.55' },
    ])
    expect(marksOf(doc, 'deleted').map((m) => [m.x, m.value])).toEqual([
      [1, '0.9'],
      [2, '0.8'],
      [3, '0.7'],
      [4, '0.65'],
    ])
    expect(marksOf(doc, 'skip').map((m) => [m.x, m.value])).toEqual([
      [6, '0.62'],
      [8, '0.58'],
    ])
  })
})
