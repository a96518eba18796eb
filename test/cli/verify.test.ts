import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer, INDEX_KEY } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, STACK_LINE, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)
const pristine = join(tmp.dir, 'pristine')
const paths = ['ckpt-01.safetensors', 'ckpt-02.safetensors', 'ckpt-03.safetensors']

beforeAll(async () => {
  const c = await createCheckpointer({ filepath: 'ckpt-{epoch:02d}.safetensors', monitor: 'loss', storage: fsStorage(pristine), ...quiet })
  for (let epoch = 0; epoch < 3; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
  expect((await c.list()).map((e) => e.path)).toEqual(paths)
  await c.close()
})

let copies = 0
/** A fresh copy of the pristine folder to damage. */
const copy = (): string => {
  const dir = join(tmp.dir, `copy-${copies++}`)
  cpSync(pristine, dir, { recursive: true })
  return dir
}

interface VerifyJson {
  ok: boolean
  index: { ok: boolean; reason: string | null }
  checkpoints: Array<{ path: string; ok: boolean; reason: string | null; size: number; files: number }>
  corrupt: string[]
}

describe('ckpt verify', () => {
  it('exits 0 and prints OK for every checkpoint of an intact folder', async () => {
    const r = await ckpt(['verify', pristine])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 3).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(paths.map((p) => ['OK', p]))
    expect(lines[3]).toBe(`${pristine}: all 3 checkpoints verify`)
  })

  it('detects one flipped byte: exit 1, CORRUPT with the checksum reason, and the summary names it', async () => {
    const dir = copy()
    const file = join(dir, 'ckpt-02.safetensors')
    const bytes = readFileSync(file)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01
    writeFileSync(file, bytes)
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('OK       ckpt-01.safetensors')
    expect(r.stdout).toMatch(
      /^CORRUPT {2}ckpt-02\.safetensors: .*fails its checksum \(expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}\)$/m,
    )
    expect(r.stdout).toContain('OK       ckpt-03.safetensors')
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`${dir}: 1 of 3 checkpoints corrupt: ckpt-02.safetensors`)
    expect(r.stderr).toBe('')
  })

  it('detects a truncated file and a deleted one, naming both (--json)', async () => {
    const dir = copy()
    truncateSync(join(dir, 'ckpt-01.safetensors'), 10)
    rmSync(join(dir, 'ckpt-03.safetensors'))
    const r = await ckpt(['verify', dir, '--json'])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as VerifyJson
    expect(out.ok).toBe(false)
    expect(out.corrupt).toEqual(['ckpt-01.safetensors', 'ckpt-03.safetensors'])
    expect(out.checkpoints.map((c) => c.ok)).toEqual([false, true, false])
    expect(out.checkpoints[0]!.reason).toContain('has 10 bytes, the index says')
    expect(out.checkpoints[2]!.reason).toContain('file "ckpt-03.safetensors" is missing')
    expect(out.checkpoints[1]!.size).toBe(readFileSync(join(dir, 'ckpt-02.safetensors')).length)
  })

  it('a corrupt index is corruption too: exit 1, CORRUPT naming the index', async () => {
    const dir = copy()
    writeFileSync(join(dir, INDEX_KEY), '{"format": "ckpt-index", "version": 1, "checkpoints": [')
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(new RegExp(`^CORRUPT  ${INDEX_KEY.replace('.', '\\.')}: .*not valid UTF-8 JSON`, 'm'))
    const json = JSON.parse((await ckpt(['verify', dir, '--json'])).stdout) as VerifyJson
    expect(json.index.ok).toBe(false)
  })

  it('exits 2 when there is nothing to verify: no folder, no index (and no checkpoint to rebuild one from), bad flags', async () => {
    const noIndex = join(tmp.dir, 'no-index')
    mkdirSync(noIndex, { recursive: true })
    writeFileSync(join(noIndex, 'notes.txt'), 'not a checkpoint')
    for (const [argv, part] of [
      [['verify', join(tmp.dir, 'nothing')], 'no such folder'],
      [['verify', noIndex], 'has no checkpoint index'],
      [['verify'], 'missing argument'],
      [['verify', pristine, '--fix'], "Unknown option '--fix'"],
      [['verify', pristine, 'extra'], 'unexpected argument "extra"'],
    ] as const) {
      const r = await ckpt(argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr).toContain(part)
      expect(r.stderr).not.toMatch(STACK_LINE)
    }
  })
})
