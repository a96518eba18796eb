import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { marksOf, parseXml, writeSampleRun } from './pictures.js'
import { ckpt, STACK_LINE, tempDir } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)
let run: { folder: string; log: string; policy: string }

beforeAll(async () => {
  run = await writeSampleRun(tmp.dir)
})

describe('ckpt plot and report: what they refuse (exit 2, saying why) and a lost index', () => {
  it('refuses bad flags, a missing folder, an unreadable log, a log the policy cannot replay, a metric nothing holds', async () => {
    const bad = join(tmp.dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ filepath: 'e{epoch}-{acc:.2f}.safetensors', monitor: 'val_loss' }))
    const cases: Array<[string[], string]> = [
      [['--config', run.policy], '--config replays the training log: give --log too'],
      [['--separator', ';'], '--separator applies to --log only'],
      [['--log', run.log, '--separator', '""'], '--separator: got'],
      [['--metric', ''], '--metric: expected a metric name'],
      [['--log', join(tmp.dir, 'none.log')], 'cannot read training log'],
      [['--log', run.log, '--config', bad], `cannot replay ${run.log} through ${bad}`],
      [['--metric', 'acc'], 'no checkpoint has the metric "acc"; they hold: loss, val_loss (pass --metric NAME)'],
      [['--log', run.log, '--metric', 'acc'], 'no log line or checkpoint has the metric "acc"; they hold: loss, val_loss'],
    ]
    for (const command of ['plot', 'report'])
      for (const [args, message] of cases) {
        const r = await ckpt([command, run.folder, ...args])
        expect(r.code, `${command} ${args.join(' ')}`).toBe(2)
        expect(r.stdout).toBe('')
        expect(r.stderr, `${command} ${args.join(' ')}`).toContain(message)
        expect(r.stderr).not.toMatch(STACK_LINE)
      }
    const missing = await ckpt(['plot', join(tmp.dir, 'nowhere')])
    expect([missing.code, missing.stderr]).toEqual([2, `ckpt: no such folder ${JSON.stringify(join(tmp.dir, 'nowhere'))}\n`])
    const nothing = join(tmp.dir, 'empty')
    mkdirSync(nothing)
    const empty = await ckpt(['report', nothing])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('has no checkpoint index')
  })

  it('a folder whose index is lost is drawn from the checkpoints a scan finds, with a note', async () => {
    rmSync(join(run.folder, 'ckpt-index.json'))
    const r = await ckpt(['plot', run.folder])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('ckpt plot: note: The index was lost and is rebuilt from a scan of the checkpoints.')
    expect(marksOf(parseXml(r.stdout), 'kept').map((m) => m.x)).toEqual([7, 9])
  })
})
