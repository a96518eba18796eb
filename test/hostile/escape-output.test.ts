import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { INDEX_KEY } from '../../src/checkpointer/index.js'
import { escapeText } from '../../src/cli/render.js'
import { ckpt, scratch } from '../cli/support.js'

const tmp = scratch()
afterAll(tmp.cleanup)

/** What a terminal would act on: C0 controls but the line break, DEL, C1 controls (CSI U+009B), bidi overrides. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

const EVIL_PATH = 'e\u001b[2J\u001b]0;pwned\u0007\r\nfake line\u009b31m\u202e.safetensors'
const EVIL_METRIC = 'lo\u001b[31mss'

const folder = (): string => {
  const dir = join(tmp.dir, 'run')
  const file = { key: 'e.safetensors', size: 3, sha256: `sha256:${'0'.repeat(64)}` }
  const entry = {
    path: EVIL_PATH,
    format: 'safetensors',
    epoch: 0,
    step: 0,
    batch: null,
    metrics: { [EVIL_METRIC]: 0.5, loss: 0.5 },
    score: 0.5,
    time: 0,
    files: [file],
    policyState: null,
  }
  const index = { format: 'ckpt-index', version: 1, checkpoints: [entry], replacing: [], removing: [], policyState: null }
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, INDEX_KEY), JSON.stringify({ ...index, ranking: { monitor: 'loss', mode: 'min' } }))
  writeFileSync(join(dir, 'e.safetensors'), 'abc') // the wrong bytes: verify reports it, quoting the path
  return dir
}

describe('CLI text output escapes control characters from data; JSON output stays exact', () => {
  const dir = folder()

  it('escapeText writes controls as a Python repr does, and leaves other text alone', () => {
    expect(escapeText('a\u001b[31mb\n\r\t\u0000\u007f\u009b\u202e ü 𝔁')).toBe('a\\x1b[31mb\\n\\r\\t\\x00\\x7f\\x9b\\u202e ü 𝔁')
  })

  it('ckpt ls', async () => {
    const r = await ckpt(['ls', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stdout).toContain(escapeText(EVIL_PATH))
    expect(r.stdout).toContain('lo\\x1b[31mss=0.5')
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(3) // the summary, the header, one row: no injected line
    const json = JSON.parse((await ckpt(['ls', dir, '--json'])).stdout) as { checkpoints: Array<{ path: string; metrics: object }> }
    expect(json.checkpoints[0]?.path).toBe(EVIL_PATH)
    expect(Object.keys(json.checkpoints[0]?.metrics ?? {})).toContain(EVIL_METRIC)
  })

  it('ckpt verify', async () => {
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stdout).toContain(`CORRUPT  ${escapeText(EVIL_PATH)}`)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2)
    const json = JSON.parse((await ckpt(['verify', dir, '--json'])).stdout) as { corrupt: string[] }
    expect(json.corrupt).toEqual([EVIL_PATH])
  })

  it('ckpt inspect', async () => {
    const header = JSON.stringify({
      __metadata__: { ['note\u001b[2J']: 'value\r\u001b]0;x\u0007' },
      [`w\u001b[31m\nfake`]: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
    })
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8)
    const bytes = Buffer.alloc(8 + Buffer.byteLength(padded) + 1)
    bytes.writeBigUInt64LE(BigInt(Buffer.byteLength(padded)), 0)
    bytes.write(padded, 8)
    const file = join(tmp.dir, 'evil.safetensors')
    writeFileSync(file, bytes)
    const r = await ckpt(['inspect', file])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stdout).toContain('note\\x1b[2J: value\\r\\x1b]0;x\\x07')
    expect(r.stdout).toContain('w\\x1b[31m\\nfake')
    const json = JSON.parse((await ckpt(['inspect', file, '--json'])).stdout) as { tensors: Array<{ name: string }> }
    expect(json.tensors[0]?.name).toBe('w\u001b[31m\nfake')
  })

  it('ckpt simulate', async () => {
    const config = tmp.write('c.json', JSON.stringify({ filepath: 'm-{epoch}.keras', monitor: 'val\u001b[2Jloss', mode: 'min' }))
    const csv = tmp.write('log.csv', 'epoch,val\u001b[2Jloss\n0,0.5\n1,0.4\n')
    const r = await ckpt(['simulate', '--config', config, '--csv', csv])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('val\\x1b[2Jloss')
    expect(r.stdout).not.toMatch(RAW_CONTROL)
    expect(r.stderr).not.toMatch(RAW_CONTROL)
  })

  it('error messages on stderr', async () => {
    const r = await ckpt(['inspect', join(tmp.dir, 'missing\u001b[2J.safetensors')])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toMatch(RAW_CONTROL)
  })
})
