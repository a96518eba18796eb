import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)
const write = tmp.write

// Hand-checked: val_acc 0.4 (save, first), 0.55 (save), NA (skip: unavailable), 0.5 (skip), 0.6 (save).
const csv = write(
  'small.log',
  'epoch,acc,loss,val_acc,val_loss\r\n0,0.5,1.0,0.4,1.2\r\n1,0.6,0.8,0.55,0.9\r\n2,0.7,0.6,NA,NA\r\n3,0.75,0.5,0.5,0.95\r\n4,0.8,0.4,0.6,0.85\r\n',
)
const config = write(
  'small.json',
  JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'val_acc', saveBestOnly: true, verbose: 1, maxToKeep: 1 }),
)

describe('ckpt simulate on a small hand-checked CSV log', () => {
  it('prints the decisions Keras would print and keeps only the newest (which is the best)', async () => {
    const r = await ckpt(['simulate', '--config', config, '--csv', csv])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const body = r.stdout.split('\n').slice(3).join('\n')
    expect(body).toBe(
      [
        'epoch 1: save m-1.keras',
        '  Epoch 1: val_acc improved from None to 0.40000, saving model to m-1.keras',
        '  Epoch 1: finished saving model to m-1.keras',
        'epoch 2: save m-2.keras',
        '  Epoch 2: val_acc improved from 0.40000 to 0.55000, saving model to m-2.keras',
        '  Epoch 2: finished saving model to m-2.keras',
        'epoch 3: skip',
        '  Can save best model only with val_acc available, skipping.',
        'epoch 4: skip',
        '  Epoch 4: val_acc did not improve from 0.55000',
        'epoch 5: save m-5.keras',
        '  Epoch 5: val_acc improved from 0.55000 to 0.60000, saving model to m-5.keras',
        '  Epoch 5: finished saving model to m-5.keras',
        '',
        '3 saves in 5 events. Retention: maxToKeep 1.',
        'Kept at the end (1 of 3; 2 deleted along the way):',
        '  path       epoch  val_acc',
        '  m-5.keras  5      0.6      best,latest',
        '',
      ].join('\n'),
    )
  })

  it('--json gives 0-based epochs, the removed paths in deletion order and NA as a missing key', async () => {
    const out = JSON.parse((await ckpt(['simulate', '--config', config, '--csv', csv, '--json'])).stdout) as {
      decisions: Array<{ line: number; epoch: number; save: boolean }>
      kept: Array<{ path: string; epoch: number; metrics: Record<string, number> }>
      removed: string[]
    }
    expect(out.decisions.map((d) => [d.line, d.epoch, d.save])).toEqual([
      [2, 0, true],
      [3, 1, true],
      [4, 2, false],
      [5, 3, false],
      [6, 4, true],
    ])
    expect(out.kept).toEqual([
      expect.objectContaining({ path: 'm-5.keras', epoch: 4, metrics: { acc: 0.8, loss: 0.4, val_acc: 0.6, val_loss: 0.85 } }),
    ])
    expect(out.removed).toEqual(['m-1.keras', 'm-2.keras'])
  })

  it('a reused path is overwritten, not deleted, with or without retention rules', async () => {
    for (const extra of [{}, { maxToKeep: 5 }]) {
      const cfg = write('last.json', JSON.stringify({ filepath: 'last.keras', monitor: 'val_acc', ...extra }))
      const out = JSON.parse((await ckpt(['simulate', '--config', cfg, '--csv', csv, '--json'])).stdout) as {
        saves: number
        kept: Array<{ path: string; epoch: number }>
        removed: string[]
      }
      expect(out.saves).toBe(5)
      expect(out.kept).toEqual([expect.objectContaining({ path: 'last.keras', epoch: 4 })])
      expect(out.removed).toEqual([])
    }
  })

  it('--saves-only prints the saves and the warnings, not the silent skips', async () => {
    const r = await ckpt(['simulate', '--config', config, '--csv', csv, '--saves-only'])
    const decisions = r.stdout.split('\n').filter((l) => /^epoch \d+:/.test(l))
    expect(decisions).toEqual(['epoch 1: save m-1.keras', 'epoch 2: save m-2.keras', 'epoch 3: skip', 'epoch 5: save m-5.keras'])
  })

  it('reads another separator with --separator', async () => {
    const semi = write('semi.log', 'epoch;acc;loss;val_acc;val_loss\n0;0.5;1.0;0.4;1.2\n1;0.6;0.8;0.55;0.9\n')
    const out = JSON.parse((await ckpt(['simulate', '--config', config, '--csv', semi, '--separator', ';', '--json'])).stdout) as {
      kept: Array<{ path: string }>
    }
    expect(out.kept.map((k) => k.path)).toEqual(['m-2.keras'])
  })
})

describe('ckpt simulate on a small hand-checked JSON-lines history', () => {
  // saveFreq 2 with Keras's counter: batches 0,1 (save, step 2), 2, then a new epoch's batch 0 (save, step 4), 1.
  const history = write(
    'small.jsonl',
    [
      { epoch: 0, batch: 0, logs: { loss: 3 }, time: 1000 },
      { epoch: 0, batch: 1, logs: { loss: 2 }, time: 2000 },
      { epoch: 0, batch: 2, logs: { loss: 1 }, time: 3000 },
      { epoch: 1, batch: 0, logs: { loss: 0.5 }, time: 4000 },
      { epoch: 1, batch: 1, logs: { loss: 0.25 }, time: 5000 },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  )
  const batches = write('batches.json', JSON.stringify({ filepath: 'b-{epoch}-{batch}.st', monitor: 'loss', saveFreq: 2 }))

  it('saves where the batch counter reaches saveFreq, with 1-based epoch and batch in the names', async () => {
    const r = await ckpt(['simulate', '--config', batches, '--events', history, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      decisions: Array<{ save: boolean; path: string | null }>
      kept: Array<{ path: string; step: number; batch: number; time: number }>
    }
    expect(out.decisions.map((d) => d.path)).toEqual([null, 'b-1-2.st', null, 'b-2-1.st', null])
    expect(out.kept.map((k) => [k.path, k.step, k.batch, k.time])).toEqual([
      ['b-1-2.st', 2, 1, 2000],
      ['b-2-1.st', 4, 0, 4000],
    ])
  })

  it('prints batch events as "epoch E batch B", 1-based', async () => {
    const r = await ckpt(['simulate', '--config', batches, '--events', history])
    expect(r.stdout).toContain('epoch 1 batch 2: save b-1-2.st\n')
    expect(r.stdout).toContain('epoch 2 batch 1: save b-2-1.st\n')
    expect(r.stdout).toContain('epoch 1 batch 1: skip\n')
  })
})
