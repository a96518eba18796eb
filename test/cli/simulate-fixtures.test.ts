import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { simulate, type SimulatedEvent } from '../../src/policy/index.js'
import { memoryStorage } from '../../src/storage/memory.js'
import { ckpt, fixture, pythonMissing, quiet, tensorsFor } from './support.js'

interface SimulateJson {
  decisions: Array<{ line: number; epoch: number; batch: number | null; save: boolean; path: string | null; messages: string[] }>
  saves: number
  kept: Array<{
    path: string
    epoch: number
    batch: number | null
    step: number
    best: boolean
    latest: boolean
    metrics: Record<string, number | string>
  }>
  removed: string[]
  best: string | null
  latest: string | null
}

const policy = (name: string): Record<string, unknown> => JSON.parse(readFileSync(fixture(name), 'utf8')) as Record<string, unknown>

/** The events of training.log as CPython's csv module reads them (the oracle for the CSV reader). */
const csvEventsByPython = (): SimulatedEvent[] => {
  const script = `
import csv, json, sys
out = []
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        epoch = int(row.pop('epoch'))
        logs = {k: float(v) for k, v in row.items() if v not in ('NA', '')}
        out.append({'epoch': epoch, 'logs': {k: (v if v == v and abs(v) != float('inf') else repr(v)) for k, v in logs.items()}})
print(json.dumps(out))
`
  const r = spawnSync('python3', ['-c', script, fixture('training.log')], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  const raw = JSON.parse(r.stdout) as Array<{ epoch: number; logs: Record<string, number | string> }>
  const num = (v: number | string) => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity)
  return raw.map((e) => ({ epoch: e.epoch, logs: Object.fromEntries(Object.entries(e.logs).map(([k, v]) => [k, num(v)])) }))
}

/** The events of history.jsonl, parsed here independently of the CLI (Python's bare NaN token replaced first). */
const jsonlEvents = (): SimulatedEvent[] =>
  readFileSync(fixture('history.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(
      (l) =>
        JSON.parse(l.replace(/\bNaN\b/g, '"NaN"')) as {
          epoch: number
          batch?: number
          logs: Record<string, number | string>
          time: number
        },
    )
    .map((e) => ({ ...e, logs: Object.fromEntries(Object.entries(e.logs).map(([k, v]) => [k, v === 'NaN' ? NaN : (v as number)])) }))

/** What a real Checkpointer keeps for these events and options: the oracle for the retention summary. */
const checkpointerOutcome = async (options: Record<string, unknown>, events: ReadonlyArray<SimulatedEvent>) => {
  const c = await createCheckpointer({ ...options, verbose: 0, storage: memoryStorage(), ...quiet } as unknown as Parameters<
    typeof createCheckpointer
  >[0])
  for (const [i, e] of events.entries()) {
    if (e.batch === undefined)
      await c.onEpochEnd({ epoch: e.epoch, logs: e.logs, ...(e.time === undefined ? {} : { time: e.time }) }, tensorsFor(i))
    else
      await c.onBatchEnd({ epoch: e.epoch, batch: e.batch, logs: e.logs, ...(e.time === undefined ? {} : { time: e.time }) }, tensorsFor(i))
  }
  const list = await c.list()
  const out = {
    kept: list.map((x) => ({ path: x.path, epoch: x.epoch, step: x.step })),
    best: (await c.best())?.path ?? null,
    latest: (await c.latest())?.path ?? null,
  }
  await c.close()
  return out
}

describe('ckpt simulate on the bundled Keras CSVLogger log', () => {
  it('has 30 epochs and a NaN val_loss, as the README promises', () => {
    const rows = readFileSync(fixture('training.log'), 'utf8').trim().split(/\r?\n/)
    expect(rows[0]).toBe('epoch,accuracy,learning_rate,loss,val_accuracy,val_loss')
    expect(rows).toHaveLength(31)
    expect(rows.filter((r) => r.endsWith(',nan'))).toHaveLength(1)
  })

  describe.skipIf(pythonMissing() !== null)('against CPython csv and the real Checkpointer', () => {
    it('decides exactly what simulate() decides for the events CPython reads from the CSV', async () => {
      const events = csvEventsByPython()
      const expected = simulate(policy('policy.json'), events)
      if (expected._tag === 'Left') throw new Error(expected.left.message)
      const r = await ckpt(['simulate', '--config', fixture('policy.json'), '--csv', fixture('training.log'), '--json'])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const out = JSON.parse(r.stdout) as SimulateJson
      expect(out.decisions.map((d) => ({ save: d.save, path: d.path, messages: d.messages }))).toEqual(expected.right)
      expect(out.decisions.map((d) => d.epoch)).toEqual(events.map((e) => e.epoch))
      expect(out.saves).toBe(expected.right.filter((d) => d.save).length)
      // The NaN epoch (0-based 19) is skipped with the policy's warning.
      expect(out.decisions[19]).toMatchObject({ save: false, messages: ['Can save best model only with val_loss available, skipping.'] })
    })

    it('summarises what the Checkpointer keeps under the retention options, best and latest included', async () => {
      const events = csvEventsByPython()
      const oracle = await checkpointerOutcome(policy('policy.json'), events)
      const out = JSON.parse(
        (await ckpt(['simulate', '--config', fixture('policy.json'), '--csv', fixture('training.log'), '--json'])).stdout,
      ) as SimulateJson
      expect(out.kept.map((k) => k.path)).toEqual(oracle.kept.map((k) => k.path))
      expect(out.best).toBe(oracle.best)
      expect(out.latest).toBe(oracle.latest)
      expect(out.kept.filter((k) => k.best).map((k) => k.path)).toEqual([oracle.best])
      expect(out.kept.filter((k) => k.latest).map((k) => k.path)).toEqual([oracle.latest])
      expect(out.removed.length + out.kept.length).toBe(out.saves)
    })
  })
  if (pythonMissing() !== null) console.warn(`skipped the CPython-oracle simulate tests: ${pythonMissing()}`)

  it('prints each decision with its Keras lines, then the kept checkpoints marked best and latest', async () => {
    const r = await ckpt(['simulate', '--config', fixture('policy.json'), '--csv', fixture('training.log')])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines).toContain('epoch 1: save checkpoints/epoch_01-val_loss_2.1455.keras')
    expect(lines).toContain('  Epoch 1: val_loss improved from None to 2.14548, saving model to checkpoints/epoch_01-val_loss_2.1455.keras')
    expect(lines).toContain('epoch 20: skip')
    expect(lines).toContain('  Can save best model only with val_loss available, skipping.')
    const json = JSON.parse(
      (await ckpt(['simulate', '--config', fixture('policy.json'), '--csv', fixture('training.log'), '--json'])).stdout,
    ) as SimulateJson
    const summary = lines.slice(lines.findIndex((l) => l.startsWith('Kept at the end')) + 2).filter((l) => l.trim() !== '')
    expect(summary.map((l) => l.trim().split(/\s+/)[0])).toEqual(json.kept.map((k) => k.path))
    expect(summary.find((l) => /\bbest\b/.test(l))).toContain(json.best!)
    expect(summary.find((l) => /\blatest\b/.test(l))).toContain(json.latest!)
  })
})

describe('ckpt simulate on the bundled JSON-lines history (batch-level saves, times, a NaN)', () => {
  it('decides what simulate() decides and keeps what the Checkpointer keeps (maxToKeep, keepTimeInterval)', async () => {
    const events = jsonlEvents()
    const expected = simulate(policy('policy-batches.json'), events)
    if (expected._tag === 'Left') throw new Error(expected.left.message)
    const r = await ckpt(['simulate', '--config', fixture('policy-batches.json'), '--events', fixture('history.jsonl'), '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as SimulateJson
    expect(out.decisions.map((d) => ({ save: d.save, path: d.path, messages: d.messages }))).toEqual(expected.right)
    const oracle = await checkpointerOutcome(policy('policy-batches.json'), events)
    expect(out.kept.map((k) => ({ path: k.path, epoch: k.epoch, step: k.step }))).toEqual(oracle.kept)
    expect(out.best).toBe(oracle.best)
    expect(out.latest).toBe(oracle.latest)
    expect(out.saves).toBeGreaterThan(out.kept.length) // retention deleted something: the test exercises it
  })
})
