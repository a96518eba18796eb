/** `ckpt simulate` with a monitor the log lacks: Keras's warning at each epoch, ckpt's note once, in text and in --json. */
import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)
const csv = tmp.write('t.log', 'epoch,loss,val_loss\n0,1.0,1.2\n1,0.8,0.9\n2,0.6,0.7\n')
const config = tmp.write('typo.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'vall_loss', saveBestOnly: true }))
const KERAS = 'Can save best model only with vall_loss available, skipping.'
const NOTE = 'ckpt: the logs hold loss, val_loss; none is named vall_loss; did you mean val_loss?'

describe('ckpt simulate: a monitor the log lacks', () => {
  it('prints the note once, under the first epoch', async () => {
    const r = await ckpt(['simulate', '--config', config, '--csv', csv])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    const from = lines.indexOf('epoch 1: skip')
    expect(lines.slice(from, from + 7)).toEqual([
      'epoch 1: skip',
      `  ${KERAS}`,
      `  ${NOTE}`,
      'epoch 2: skip',
      `  ${KERAS}`,
      'epoch 3: skip',
      `  ${KERAS}`,
    ])
  })
  it('--json carries it in the first decision’s messages', async () => {
    const out = JSON.parse((await ckpt(['simulate', '--config', config, '--csv', csv, '--json'])).stdout) as {
      decisions: Array<{ save: boolean; messages: string[] }>
    }
    expect(out.decisions.map((d) => d.messages)).toEqual([[KERAS, NOTE], [KERAS], [KERAS]])
  })
})
