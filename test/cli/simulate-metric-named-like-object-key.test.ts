import { afterAll, describe, expect, it } from 'vitest'
import { ckpt, scratch } from './support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

describe('ckpt simulate: a monitor named like an Object.prototype key (toString), absent from some epochs', () => {
  it('the table, the JSON and the flow diagram show no value there, not the inherited function', async () => {
    const logs = [{ loss: 1 }, JSON.parse('{"toString": 0.5}') as Record<string, number>, { loss: 0.2 }]
    const events = tmp.write('history.jsonl', logs.map((l, epoch) => JSON.stringify({ epoch, logs: l })).join('\n') + '\n')
    const config = tmp.write('policy.json', JSON.stringify({ filepath: 'e{epoch}.safetensors', monitor: 'toString', mode: 'min' }))
    for (const extra of [[], ['--json'], ['--dot']]) {
      const r = await ckpt(['simulate', '--config', config, '--events', events, ...extra])
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stdout, extra.join(' ')).not.toMatch(/native code|function toString/)
    }
    const json = JSON.parse((await ckpt(['simulate', '--config', config, '--events', events, '--json'])).stdout) as {
      kept: Array<{ path: string; value?: unknown }>
    }
    expect(json.kept.map((k) => k.path).sort()).toEqual(['e1.safetensors', 'e2.safetensors', 'e3.safetensors'])
  })
})
