import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { parseCsvLog } from '../../src/cli/csv-log.js'
import { ckpt, fixture, scratch, tensorsFor } from './support.js'

// saveLast writes `last` at every save opportunity: simulate shows each write, and its summary what a real
// Checkpointer fed the same events holds at the end (its log lines too, with verbose 1).
const tmp = scratch()
afterAll(tmp.cleanup)
const options = {
  filepath: 'checkpoints/epoch_{epoch:02d}-val_loss_{val_loss:.4f}.keras',
  monitor: 'val_loss',
  saveBestOnly: true,
  saveTopK: 2,
  saveLast: true,
  verbose: 1,
}
const config = tmp.write('policy.json', JSON.stringify(options))
const log = fixture('training.log')

interface Json {
  decisions: Array<{ epoch: number; save: boolean; path: string | null; last: string | null; messages: string[] }>
  kept: Array<{ path: string; best: boolean; latest: boolean }>
  best: string | null
  latest: string | null
  last: { path: string; epoch: number; latest: boolean } | null
}

/** A real Checkpointer fed the log's events: its log lines per event, and what it holds at the end. */
const checkpointer = async () => {
  const parsed = parseCsvLog(readFileSync(log, 'utf8'), log)
  if (parsed._tag === 'Left') throw new Error(parsed.left.message)
  let lines: string[] = []
  const c = await createCheckpointer({ ...options, storage: memoryStorage(), log: (m: string) => lines.push(m) })
  const perEvent: string[][] = []
  for (const [i, { event }] of parsed.right.events.entries()) {
    lines = []
    await c.onEpochEnd({ epoch: event.epoch, logs: event.logs }, tensorsFor(i))
    perEvent.push(lines)
  }
  const out = { perEvent, list: (await c.list()).map((e) => e.path), latest: (await c.latest())?.path, best: (await c.best())?.path }
  await c.close()
  return out
}

describe('ckpt simulate with saveLast', () => {
  it("shows last's write at every save opportunity, with the Checkpointer's log lines, and ends holding what a Checkpointer holds", async () => {
    const r = await ckpt(['simulate', '--config', config, '--csv', log, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Json
    const oracle = await checkpointer()
    expect(out.decisions.every((d) => d.last === 'checkpoints/last.keras')).toBe(true)
    // The Checkpointer logs warnings as "Warning: …"; simulate lists them first among the messages.
    expect(out.decisions.map((d) => d.messages.map((m) => (m.startsWith('Can save best model only') ? `Warning: ${m}` : m)))).toEqual(
      oracle.perEvent,
    )
    expect(oracle.perEvent[29]).toContain('Epoch 30: finished saving the last checkpoint to checkpoints/last.keras')
    expect([...out.kept.map((k) => k.path), out.last?.path].sort()).toEqual([...oracle.list].sort())
    expect(out.latest).toBe(oracle.latest)
    expect(out.latest).toBe('checkpoints/last.keras')
    expect(out.best).toBe(oracle.best)
    expect(out.last).toMatchObject({ path: 'checkpoints/last.keras', epoch: 29, latest: true })
    expect(out.kept.some((k) => k.latest)).toBe(false)

    const text = await ckpt(['simulate', '--config', config, '--csv', log])
    const lines = text.stdout.split('\n')
    expect(lines).toContain('epoch 3: save checkpoints/epoch_03-val_loss_1.5974.keras; last checkpoints/last.keras')
    expect(lines).toContain('epoch 30: skip; last checkpoints/last.keras')
    expect(lines).toContain('17 saves in 30 events (and 30 writes of last). Retention: saveTopK 2.')
    expect(lines.find((l) => /^\s+checkpoints\/last\.keras\s+30\s/.test(l))).toMatch(/\slast,latest$/)

    const dot = await ckpt(['simulate', '--config', config, '--csv', log, '--dot'])
    expect(dot.stdout.match(/\\nlast: checkpoints\/last\.keras"/g)).toHaveLength(30)
  })
})
