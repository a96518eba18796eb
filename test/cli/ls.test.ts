import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, type Entry } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, STACK_LINE, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)

interface LsJson {
  monitor: string | null
  mode: string | null
  best: string | null
  latest: string | null
  checkpoints: Array<{
    path: string
    epoch: number
    batch: number | null
    step: number
    size: number
    files: number
    metrics: Record<string, number | string>
    best: boolean
    latest: boolean
  }>
}

/** Writes a real checkpoint folder with createCheckpointer; returns its live entries, best and latest. */
const writeRun = async (dir: string, options: Record<string, unknown>, epochs: ReadonlyArray<Record<string, number>>) => {
  const c = await createCheckpointer({ ...options, storage: fsStorage(dir), ...quiet } as unknown as Parameters<
    typeof createCheckpointer
  >[0])
  for (const [epoch, logs] of epochs.entries())
    await c.onEpochEnd({ epoch, logs, time: 1_700_000_000_000 + epoch * 1000 }, tensorsFor(epoch))
  const out = { list: await c.list(), best: await c.best(), latest: await c.latest() }
  await c.close()
  return out
}

const ls = async (...argv: string[]) => {
  const r = await ckpt(['ls', ...argv])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r.stdout
}

describe('ckpt ls on a folder written by createCheckpointer', () => {
  const dir = join(tmp.dir, 'run-min')
  let run: { list: ReadonlyArray<Entry>; best: Entry | null; latest: Entry | null }
  beforeAll(async () => {
    // val_loss 0.9, 0.7, 0.8, 0.5, 0.6, 0.65 with maxToKeep 2: the two newest plus the best (epoch 4) survive.
    run = await writeRun(
      dir,
      { filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'val_loss', maxToKeep: 2 },
      [0.9, 0.7, 0.8, 0.5, 0.6, 0.65].map((v, i) => ({ loss: v + 0.1, val_loss: v, ...(i === 4 ? { loss: NaN } : {}) })),
    )
  })

  it('--json lists what Checkpointer.list() holds and marks what best() and latest() return', async () => {
    const out = JSON.parse(await ls(dir, '--json')) as LsJson
    expect(out.checkpoints.map((c) => c.path)).toEqual(run.list.map((e) => e.path))
    expect(out.checkpoints.map((c) => c.path)).toEqual(['ckpt-04.safetensors', 'ckpt-05.safetensors', 'ckpt-06.safetensors'])
    expect(out.best).toBe(run.best!.path)
    expect(out.latest).toBe(run.latest!.path)
    expect(out.checkpoints.filter((c) => c.best).map((c) => c.path)).toEqual([run.best!.path])
    expect(out.checkpoints.filter((c) => c.latest).map((c) => c.path)).toEqual([run.latest!.path])
    expect({ monitor: out.monitor, mode: out.mode }).toEqual({ monitor: 'val_loss', mode: 'min' })
  })

  it('--json gives 0-based epochs, steps, the metrics (NaN as "NaN") and sizes equal to the files on disk', async () => {
    const out = JSON.parse(await ls(dir, '--json')) as LsJson
    for (const [i, c] of out.checkpoints.entries()) {
      const entry = run.list[i]!
      expect(c.epoch).toBe(entry.epoch)
      expect(c.step).toBe(entry.step)
      expect(c.files).toBe(entry.files.length)
      expect(c.size).toBe(entry.files.reduce((n, f) => n + statSync(join(dir, f.key)).size, 0))
    }
    expect(out.checkpoints[1]!.metrics).toEqual({ loss: 'NaN', val_loss: 0.6 })
  })

  it('prints a table with 1-based epochs, sizes, metrics as Python writes them, and the marks', async () => {
    const text = await ls(dir)
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toBe(`${dir}: 3 checkpoints; best by val_loss (min)`)
    expect(lines[1]).toMatch(/^path\s+epoch\s+batch\s+step\s+size\s+mark\s+metrics$/)
    const row = (path: string) => lines.find((l) => l.startsWith(path))!.split(/\s{2,}/)
    expect(row('ckpt-04.safetensors')).toEqual([
      'ckpt-04.safetensors',
      '4',
      '-',
      '0',
      expect.stringMatching(/^\d+ B$/),
      'best',
      'loss=0.6 val_loss=0.5',
    ])
    expect(row('ckpt-05.safetensors').at(-1)).toBe('loss=nan val_loss=0.6')
    expect(row('ckpt-06.safetensors')[5]).toBe('latest')
  })

  it('--monitor and --mode override the ranking', async () => {
    const byMax = JSON.parse(await ls(dir, '--json', '--mode', 'max')) as LsJson
    expect(byMax.best).toBe('ckpt-06.safetensors') // val_loss 0.65 is the highest kept
    const byLoss = JSON.parse(await ls(dir, '--json', '--monitor', 'loss')) as LsJson
    expect(byLoss.best).toBe('ckpt-04.safetensors') // loss 0.6; ckpt-05's NaN never ranks
    expect(byLoss.mode).toBe('min')
  })
})

describe('ckpt ls infers the direction of a maximised monitor', () => {
  it('marks the checkpoint Checkpointer.best() returns for val_accuracy (ties go to the older)', async () => {
    const dir = join(tmp.dir, 'run-max')
    const run = await writeRun(
      dir,
      { filepath: 'acc-{epoch}.safetensors', monitor: 'val_accuracy' },
      [0.5, 0.8, 0.7, 0.8, 0.6].map((v) => ({ val_accuracy: v })),
    )
    const out = JSON.parse(await ls(dir, '--json')) as LsJson
    expect(out.mode).toBe('max')
    expect(out.best).toBe(run.best!.path)
    expect(out.best).toBe('acc-2.safetensors')
  })
})

describe('ckpt ls: errors exit 2 without touching anything', () => {
  const expect2 = async (argv: string[], part: string) => {
    const r = await ckpt(['ls', ...argv])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(part)
    expect(r.stderr).not.toMatch(STACK_LINE)
  }
  it('a missing folder (and does not create it)', async () => {
    const missing = join(tmp.dir, 'no-such-folder')
    await expect2([missing], 'no such folder')
    expect(existsSync(missing)).toBe(false)
  })
  it('a folder without an index, a file instead of a folder, a corrupt index', async () => {
    const empty = join(tmp.dir, 'empty')
    mkdirSync(empty)
    await expect2([empty], 'has no checkpoint index (ckpt-index.json)')
    const file = join(tmp.dir, 'a-file')
    writeFileSync(file, 'x')
    await expect2([file], 'is not a folder')
    const bad = join(tmp.dir, 'bad-index')
    mkdirSync(bad)
    writeFileSync(join(bad, 'ckpt-index.json'), '{"format":"ckpt-index","version":1}')
    await expect2([bad], 'does not match the index schema')
  })
  it('bad flags and arguments', async () => {
    await expect2([], 'missing argument: expected LOCATION')
    await expect2([tmp.dir, '--mode', 'up'], '--mode: got "up"; expected min or max')
    await expect2([tmp.dir, '--all'], "Unknown option '--all'")
    await expect2(['s3://'], 'has no bucket')
    await expect2([tmp.dir, '--endpoint', 'http://127.0.0.1:9000'], 'apply to s3:// locations only')
  })
})
