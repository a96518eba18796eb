import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

/** The (arrow label, note) of each decision of `--dot`, in order. */
const decisions = async (config: object, csv: string) => {
  const r = await ckpt(['simulate', '--config', tmp.write('c.json', JSON.stringify(config)), '--csv', tmp.write('l.log', csv), '--dot'])
  expect(r.code, r.stderr).toBe(0)
  return [...r.stdout.matchAll(/ n(\d+) \[label="([^"]*)"[^\n]*\n {2}e\1 -> n\1 \[label="([^"]*)"/g)].map((m) => [m[3], m[2]])
}

describe('ckpt simulate --dot: the comparison on each arrow, and what became of each save', () => {
  it('has as many digits as it takes to tell the values apart; NaN and minDelta are said', async () => {
    const csv = 'epoch,val_loss\n0,0.50002\n1,0.50001\n2,nan\n3,0.49\n'
    expect(await decisions({ filepath: 'm{epoch}', monitor: 'val_loss', saveBestOnly: true }, csv)).toEqual([
      ['0.5 < inf', 'save\\nm1\\nkept'],
      ['0.50001 < 0.50002', 'save\\nm2\\nkept'],
      ['val_loss is nan', 'skip'],
      ['0.49 < 0.5', 'save\\nm4\\nkept, best'],
    ])
    expect(await decisions({ filepath: 'm{epoch}', monitor: 'val_loss', saveBestOnly: true, minDelta: 0.02 }, csv)).toEqual([
      ['0.5 < inf − 0.02', 'save\\nm1\\nkept, best'],
      ['0.50001 > 0.50002 − 0.02', 'skip'],
      ['val_loss is nan', 'skip'],
      ['0.49 > 0.5 − 0.02', 'skip'],
    ])
  })

  it('in mode max the unset best is -inf; without saveBestOnly each arrow says every epoch; an overwritten save says when', async () => {
    const csv = 'epoch,acc\n0,0.5\n1,0.4\n2,0.6\n'
    expect(await decisions({ filepath: 'm{epoch}', monitor: 'acc', saveBestOnly: true }, csv)).toEqual([
      ['0.5 > -inf', 'save\\nm1\\nkept'],
      ['0.4 < 0.5', 'skip'],
      ['0.6 > 0.5', 'save\\nm3\\nkept, best'],
    ])
    expect(await decisions({ filepath: 'last', monitor: 'acc' }, csv)).toEqual([
      ['every epoch', 'save\\nlast\\noverwritten at epoch 2'],
      ['every epoch', 'save\\nlast\\noverwritten at epoch 3'],
      ['every epoch', 'save\\nlast\\nkept, best'],
    ])
  })
})
