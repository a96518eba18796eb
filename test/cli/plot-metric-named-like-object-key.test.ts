import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { marksOf, parseXml } from './pictures.js'
import { ckpt, quiet, scratch, tensorsFor } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

describe('ckpt plot and report: a metric named like an Object.prototype key (toString), absent from some epochs', () => {
  it('an epoch without it has no value (drawn in the no-value lane, "none"), not the inherited function', async () => {
    const folder = join(tmp.dir, 'run')
    const c = await createCheckpointer({
      storage: fsStorage(folder),
      filepath: 'e{epoch}.safetensors',
      monitor: 'toString',
      mode: 'min',
      ...quiet,
    })
    const logs = [{ loss: 1 }, JSON.parse('{"toString": 0.5}') as Record<string, number>]
    for (const [epoch, l] of logs.entries()) await c.onEpochEnd({ epoch, logs: l }, tensorsFor(epoch))
    await c.close()
    const log = tmp.write('history.jsonl', logs.map((l, epoch) => JSON.stringify({ epoch, logs: l })).join('\n') + '\n')
    const policy = tmp.write('policy.json', JSON.stringify({ filepath: 'e{epoch}.safetensors', monitor: 'toString', mode: 'min' }))
    for (const args of [[], ['--log', log], ['--log', log, '--config', policy]])
      for (const command of ['plot', 'report']) {
        const r = await ckpt([command, folder, ...args])
        expect(r.code, `${command} ${args.join(' ')}: ${r.stderr}`).toBe(0)
        expect(r.stdout, `${command} ${args.join(' ')}`).not.toContain('native code')
        if (command === 'plot') expect(marksOf(parseXml(r.stdout), 'save').map((m) => m.value)).toEqual(['none', '0.5'])
      }
  })
})
