import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { simulate } from '../../src/policy/index.js'
import { ckpt, fixture, scratch } from './support.js'

// A real Keras 3.15 run (test/fixtures/keras-validation-freq/make.py): fit with validation_freq=2, so val_loss is in the
// logs of epochs 2, 4 and 6 only. CSVLogger wrote NA where it is missing; ModelCheckpoint with a template needing
// val_loss raised at epoch 1 (keras-crash.txt).
const dir = 'keras-validation-freq'
const csv = fixture(`${dir}/training.log`)
const events = fixture(`${dir}/events.jsonl`)
const tmp = scratch()
afterAll(tmp.cleanup)
const config = tmp.write('policy.json', JSON.stringify({ filepath: '{epoch:02d}-{val_loss:.2f}.keras', monitor: 'val_loss', verbose: 1 }))
const lacks = "the template needs val_loss, which this epoch's logs lack (they hold loss)"

interface Json {
  decisions: Array<{ line: number; epoch: number; save: boolean; path: string | null; failed: string | null; messages: string[] }>
  kept: Array<{ path: string }>
  wouldStop: string | null
}

describe('ckpt simulate on a log whose save opportunities lack a field the template needs (Keras validation_freq=2)', () => {
  it('the fixture is what Keras wrote: NA on odd epochs, and ModelCheckpoint raised at epoch 1 for the missing val_loss', () => {
    expect(readFileSync(csv, 'utf8').split(/\r?\n/).slice(0, 3)).toEqual([
      'epoch,loss,val_loss',
      expect.stringMatching(/^0,[\d.]+,NA$/),
      expect.stringMatching(/^1,[\d.]+,[\d.]+$/),
    ])
    expect(readFileSync(fixture(`${dir}/keras-crash.txt`), 'utf8')).toMatch(/^KeyError at epoch 1 \(1-based\): .*Reason: \\'val_loss\\'/)
  })

  it('without --keep-going: exit 1, nothing on stdout, and stderr says training would stop at epoch 1 (where Keras raised) and why', async () => {
    for (const [flag, file, line] of [
      ['--csv', csv, 2],
      ['--events', events, 1],
    ] as const) {
      const r = await ckpt(['simulate', '--config', config, flag, file])
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`ckpt simulate: training would stop at epoch 1 (${file} line ${line}): ${lacks}\n`)
      expect(r.stderr).toContain('--keep-going replays the rest')
    }
  })

  it('--keep-going replays the rest: the saves of epochs 2, 4, 6, each failing save marked; the CSV and the JSON lines agree; exit 1', async () => {
    const fromCsv = await ckpt(['simulate', '--config', config, '--csv', csv, '--keep-going', '--json'])
    const fromJsonl = await ckpt(['simulate', '--config', config, '--events', events, '--keep-going', '--json'])
    for (const r of [fromCsv, fromJsonl]) {
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`${lacks}; --keep-going replayed the rest`)
    }
    const a = JSON.parse(fromCsv.stdout) as Json
    const b = JSON.parse(fromJsonl.stdout) as Json
    expect(a.decisions.map((d) => [d.epoch + 1, d.path ?? d.failed])).toEqual([
      [1, lacks],
      [2, '02-0.55.keras'],
      [3, lacks],
      [4, '04-0.55.keras'],
      [5, lacks],
      [6, '06-0.54.keras'],
    ])
    expect(a.decisions.filter((d) => d.failed !== null).every((d) => !d.save && d.messages.length === 0)).toBe(true)
    expect(a.kept.map((k) => k.path)).toEqual(['02-0.55.keras', '04-0.55.keras', '06-0.54.keras'])
    expect(a.wouldStop).toBe(`training would stop at epoch 1 (${csv} line 2): ${lacks}`)
    const byLine = (j: Json) => ({ decisions: j.decisions.map(({ line: _line, ...d }) => d), kept: j.kept })
    expect(byLine(b)).toEqual(byLine(a))

    const text = await ckpt(['simulate', '--config', config, '--csv', csv, '--keep-going', '--saves-only'])
    expect(text.stdout).toContain(`epoch 1: save fails (training would stop here): ${lacks}\nepoch 2: save 02-0.55.keras\n`)
    expect(text.stdout).toContain(
      '3 saves would fail (epoch 1, epoch 3, epoch 5): training would stop at the first; --keep-going replayed the rest.',
    )
    const dot = await ckpt(['simulate', '--config', config, '--csv', csv, '--keep-going', '--dot'])
    expect(dot.stdout).toContain('label="save fails\\ntraining would stop here"')
    expect(dot.stdout).toContain('label="template needs val_loss"')
  })

  it('reads a log whose missing values are empty cells (as pandas writes them) the same as NA', async () => {
    const empty = tmp.write('empty.log', readFileSync(csv, 'utf8').replaceAll(',NA', ','))
    const a = await ckpt(['simulate', '--config', config, '--csv', csv, '--keep-going', '--json'])
    const b = await ckpt(['simulate', '--config', config, '--csv', empty, '--keep-going', '--json'])
    expect((JSON.parse(b.stdout) as Json).decisions).toEqual((JSON.parse(a.stdout) as Json).decisions)
  })

  it('a failing save changes no state but the counters: the best stays, and an integer saveFreq restarts its count', () => {
    // saveBestOnly: epoch 1 has val_loss but not the val_acc the template needs; its 0.1 does not become the best.
    const best = simulate(
      { filepath: 'e{epoch}-{val_acc}', monitor: 'val_loss', saveBestOnly: true, verbose: 1 },
      [
        { epoch: 0, logs: { val_loss: 0.1 } },
        { epoch: 1, logs: { val_loss: 0.2, val_acc: 0.5 } },
      ],
      { keepGoing: true },
    )
    expect(best._tag === 'Right' && best.right.map((d) => [d.save, d.failed?.field ?? null, d.messages[0] ?? null])).toEqual([
      [false, 'val_acc', null],
      [true, null, 'Epoch 2: val_loss improved from None to 0.20000, saving model to e2-0.5'],
    ])
    // saveFreq 2: the opportunity at batch 2 fails (no acc), the next is batch 4, not 3.
    const batches = ([{ loss: 1 }, { loss: 1 }, { loss: 1, acc: 1 }, { loss: 1, acc: 1 }] as Array<Record<string, number>>).map(
      (logs, batch) => ({ epoch: 0, batch, logs }),
    )
    const freq = simulate({ filepath: 'b{batch}-{acc}', monitor: 'loss', saveFreq: 2 }, batches, { keepGoing: true })
    expect(freq._tag === 'Right' && freq.right.map((d) => (d.failed !== undefined ? 'failed' : d.save ? d.path : '-'))).toEqual([
      '-',
      'failed',
      '-',
      'b4-1.0',
    ])
    // Without keepGoing, simulate() itself still returns the error (the CLI words it as where training stops).
    expect(simulate({ filepath: 'b{batch}-{acc}', monitor: 'loss', saveFreq: 2 }, batches)._tag).toBe('Left')
  })
})
