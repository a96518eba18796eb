import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, fixture, STACK_LINE, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)
const write = tmp.write
const goodConfig = write('good.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'loss' }))
const goodCsv = write('good.log', 'epoch,loss\n0,1.0\n')

/** Exit 2, the message on stderr (containing each of `parts`), nothing on stdout, no stack trace. */
const expectInputError = async (argv: string[], ...parts: string[]) => {
  const r = await ckpt(argv)
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  for (const p of parts) expect(r.stderr).toContain(p)
  expect(r.stderr).not.toMatch(STACK_LINE)
  return r
}

describe('ckpt simulate: bad configuration', () => {
  it('names the option, the value and what is accepted (every issue at once)', async () => {
    const bad = write('bad.json', JSON.stringify({ filepath: 'm.keras', saveFreq: 0, mode: 'up', maxToKeep: -1 }))
    const r = await expectInputError(
      ['simulate', '--config', bad, '--csv', goodCsv],
      'bad.json: invalid policy configuration',
      'saveFreq: got 0',
      "mode: got \"up\"; expected 'auto', 'min' or 'max'",
      'maxToKeep: got -1',
    )
    expect(r.stderr).not.toContain('Run ')
  })
  it('rejects an unknown option', async () => {
    await expectInputError(
      ['simulate', '--config', write('unk.json', '{"filepath":"m.keras","save_best_only":true}'), '--csv', goodCsv],
      'save_best_only: got true (unknown option; did you mean saveBestOnly?)',
    )
  })
  it('rejects a config that is not JSON, or missing', async () => {
    await expectInputError(
      ['simulate', '--config', write('notjson.json', '{filepath: m}'), '--csv', goodCsv],
      'policy configuration',
      'is not valid JSON',
    )
    await expectInputError(
      ['simulate', '--config', join(tmp.dir, 'nope.json'), '--csv', goodCsv],
      'cannot read policy configuration',
      'no such file',
    )
  })
})

describe('ckpt simulate: bad logs name the file, the line and the field', () => {
  it('a CSV value that is not a number', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--csv', write('v.log', 'epoch,loss,lr\n0,0.5,0.1\n1,"[0.1, 0.2]",0.1\n')],
      'v.log line 3: column "loss": got "[0.1, 0.2]"',
    )
  })
  it('a CSV row with the wrong number of fields', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--csv', write('f.log', 'epoch,loss\n0,0.5,9\n')],
      'f.log line 2: has 3 fields, the header has 2',
    )
  })
  it('a CSV without an epoch column (hinting at --separator)', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--csv', write('s.log', 'epoch;loss\n0;0.5\n')],
      's.log line 1',
      'no "epoch" column',
      '--separator',
    )
  })
  it('a CSV epoch that is not a 0-based index', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--csv', write('e.log', 'epoch,loss\n-1,0.5\n')],
      'e.log line 2: column "epoch": got "-1"',
    )
  })
  it('an empty CSV', async () => {
    await expectInputError(['simulate', '--config', goodConfig, '--csv', write('empty.log', '')], 'empty.log: the file is empty')
  })
  it('a JSON-lines line that is not JSON, or has a bad field', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--events', write('j1.jsonl', '{"epoch":0,"logs":{"loss":1}}\n\n{"epoch":1,"logs":\n')],
      'j1.jsonl line 3: not valid JSON',
    )
    await expectInputError(
      ['simulate', '--config', goodConfig, '--events', write('j2.jsonl', '{"epoch":0.5,"logs":{}}\n')],
      'j2.jsonl line 1: "epoch": got 0.5',
    )
    await expectInputError(
      ['simulate', '--config', goodConfig, '--events', write('j3.jsonl', '{"epoch":0,"logs":{"loss":"low"}}\n')],
      'j3.jsonl line 1: "logs.loss": got "low"',
    )
    await expectInputError(
      ['simulate', '--config', goodConfig, '--events', write('j4.jsonl', '{"epoch":0,"step":3,"logs":{}}\n')],
      'j4.jsonl line 1: unknown key "step"',
    )
  })
  it('a template a saved event cannot fill names the event and its line (exit 1: training would stop there)', async () => {
    const cfg = write('tpl.json', JSON.stringify({ filepath: 'm-{val_loss:.2f}.keras', monitor: 'loss' }))
    const log = write('t.log', 'epoch,loss,val_loss\n0,1,2\n1,0.5,NA\n')
    const r = await ckpt(['simulate', '--config', cfg, '--csv', log])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      `training would stop at epoch 2 (${log} line 3): the template needs val_loss, which this epoch's logs lack (they hold loss)`,
    )
  })
  it('keepTimeInterval with a CSV log (which has no times) says why', async () => {
    const cfg = write('kti.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'loss', keepTimeInterval: 1000 }))
    await expectInputError(['simulate', '--config', cfg, '--csv', goodCsv], 'line 2: keepTimeInterval needs the time of each saved event')
  })
  it('a missing log file', async () => {
    await expectInputError(
      ['simulate', '--config', goodConfig, '--csv', join(tmp.dir, 'missing.log')],
      'cannot read training log',
      'no such file',
    )
  })
})

describe('ckpt simulate: usage errors', () => {
  const usage = async (argv: string[], part: string) => {
    const r = await expectInputError(argv, part)
    expect(r.stderr).toContain("Run 'ckpt simulate --help' for usage.")
  }
  it('needs --config and exactly one log', async () => {
    await usage(['simulate', '--csv', goodCsv], 'missing --config')
    await usage(['simulate', '--config', goodConfig], 'exactly one of --csv')
    await usage(['simulate', '--config', goodConfig, '--csv', goodCsv, '--events', fixture('history.jsonl')], 'exactly one of --csv')
  })
  it('rejects unknown flags, flags without values and positionals', async () => {
    await usage(['simulate', '--config', goodConfig, '--csv', goodCsv, '--fast'], "Unknown option '--fast'")
    await usage(['simulate', '--config'], "Option '--config <value>' argument missing")
    await usage(['simulate', '--config', goodConfig, '--csv', goodCsv, 'extra'], 'unexpected argument "extra"')
  })
  it('rejects a separator that is not one character, or given with --events', async () => {
    await usage(['simulate', '--config', goodConfig, '--csv', goodCsv, '--separator', '::'], '--separator: got "::"')
    await usage(
      ['simulate', '--config', goodConfig, '--events', fixture('history.jsonl'), '--separator', ';'],
      '--separator applies to --csv logs only',
    )
  })
})
