// ckpt ls and ckpt verify read the index as ckpt writes it now: the index file and the segments it names. A segment
// that is damaged or missing makes the index corrupt, and verify says which.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { SEGMENT_PREFIX } from '../../src/checkpointer/index-keys.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
afterAll(tmp.cleanup)
const pristine = join(tmp.dir, 'pristine')
const COUNT = 40
const paths = Array.from({ length: COUNT }, (_, e) => `e${String(e + 1).padStart(2, '0')}.safetensors`)

beforeAll(async () => {
  const c = await createCheckpointer({ filepath: 'e{epoch:02d}.safetensors', monitor: 'loss', storage: fsStorage(pristine), ...quiet })
  for (let epoch = 0; epoch < COUNT; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 1 / (epoch + 1) } }, tensorsFor(epoch))
  await c.close()
  expect(readdirSync(join(pristine, SEGMENT_PREFIX)).length).toBeGreaterThan(0)
})

let copies = 0
const copy = (): { dir: string; segment: string } => {
  const dir = join(tmp.dir, `copy-${copies++}`)
  cpSync(pristine, dir, { recursive: true })
  return { dir, segment: join(dir, SEGMENT_PREFIX, readdirSync(join(dir, SEGMENT_PREFIX))[0]!) }
}

describe('the CLI on an index with segments', () => {
  it("ckpt ls lists every checkpoint, in order, the segments' and the index file's", async () => {
    const r = await ckpt(['ls', pristine, '--json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const listed = JSON.parse(r.stdout) as { checkpoints: Array<{ path: string }>; latest: string; best: string }
    expect(listed.checkpoints.map((c) => c.path)).toEqual(paths)
    expect(listed.latest).toBe(paths.at(-1))
  })

  it('ckpt verify checks every checkpoint', async () => {
    const r = await ckpt(['verify', pristine])
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`${pristine}: all ${COUNT} checkpoints verify`)
  })

  it('a flipped byte in a segment: verify exits 1 and names the segment; ls refuses the corrupt index', async () => {
    const { dir, segment } = copy()
    const bytes = readFileSync(segment)
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01
    writeFileSync(segment, bytes)
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      /^CORRUPT {2}ckpt-index\.json: .*names the segment "ckpt-index\.d\/[^"]+", which does not have the SHA-256 recorded/m,
    )
    const ls = await ckpt(['ls', dir])
    expect(ls.code).toBe(2)
    expect(ls.stderr).toMatch(/which does not have the SHA-256 recorded/)
  })

  it('a missing segment: verify exits 1 and says it is missing', async () => {
    const { dir, segment } = copy()
    rmSync(segment)
    const r = await ckpt(['verify', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^CORRUPT {2}ckpt-index\.json: .*names the segment "ckpt-index\.d\/[^"]+", which is missing/m)
  })
})
