import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, quiet, tempDir, tensorsFor } from './support.js'

const t = tempDir('ckpt-cli-export-')
afterAll(t.cleanup)

/** A folder of three checkpoints, e1 to e3 (e2 the best). */
const run = async (dir: string) => {
  const c = await createCheckpointer({ storage: fsStorage(dir), filepath: 'm/e{epoch}.safetensors', monitor: 'loss', ...quiet })
  for (const [epoch, loss] of [0.5, 0.1, 0.3].entries()) await c.onEpochEnd({ epoch, logs: { loss } }, tensorsFor(epoch))
  await c.close()
}

describe('ckpt export and ckpt import', () => {
  it('export a run, import it into a new folder: the same checkpoints, each verifying; again: already there', async () => {
    await run(`${t.dir}/a`)
    const out = `${t.dir}/run.tar`
    const e = await ckpt(['export', `${t.dir}/a`, '--out', out])
    expect(e).toMatchObject({ code: 0, stderr: '' })
    expect(e.stdout).toMatch(/exported 3 checkpoints \(.+\) to .*run\.tar: m\/e1\.safetensors, m\/e2\.safetensors, m\/e3\.safetensors\n$/)
    const i = await ckpt(['import', out, `${t.dir}/b`])
    expect(i).toMatchObject({ code: 0, stderr: '' })
    expect(i.stdout).toMatch(/imported 3 checkpoints: m\/e1\.safetensors, m\/e2\.safetensors, m\/e3\.safetensors\n$/)
    const v = await ckpt(['verify', `${t.dir}/b`])
    expect(v.code).toBe(0)
    expect(v.stdout).toContain('all 3 checkpoints verify')
    expect(readFileSync(`${t.dir}/b/m/e2.safetensors`)).toEqual(readFileSync(`${t.dir}/a/m/e2.safetensors`))
    const again = await ckpt(['import', out, `${t.dir}/b`])
    expect(again.stdout).toMatch(/imported 0 checkpoints; 3 already there/)
  })

  it('--which best exports that one checkpoint', async () => {
    await run(`${t.dir}/c`)
    const r = await ckpt(['export', `${t.dir}/c`, '--out', `${t.dir}/best.tar`, '--which', 'best'])
    expect(r.stdout).toMatch(/exported 1 checkpoint \(.+\) to .*best\.tar: m\/e2\.safetensors\n$/)
    expect((await ckpt(['import', `${t.dir}/best.tar`, `${t.dir}/d`])).stdout).toMatch(/imported 1 checkpoint: m\/e2\.safetensors\n$/)
  })

  it('a corrupt checkpoint: exit 1 naming it, and no archive (nor a partial one) left behind', async () => {
    await run(`${t.dir}/e`)
    const file = `${t.dir}/e/m/e3.safetensors`
    const bytes = readFileSync(file)
    bytes[bytes.length - 1]! ^= 1
    writeFileSync(file, bytes)
    const r = await ckpt(['export', `${t.dir}/e`, '--out', `${t.dir}/out/run.tar`])
    expect(r.code).toBe(2) // no such folder for the output
    expect(r.stderr).toContain('run.tar')
    const r2 = await ckpt(['export', `${t.dir}/e`, '--out', `${t.dir}/bad.tar`])
    expect(r2.code).toBe(1)
    expect(r2.stderr).toMatch(/checkpoint "m\/e3\.safetensors".*fails its checksum.*nothing was written to/)
    expect(readdirSync(t.dir).filter((n) => n.startsWith('bad.tar'))).toEqual([])
  })

  it('a truncated archive: exit 2 with the typed reason, the folder untouched', async () => {
    await run(`${t.dir}/f`)
    await ckpt(['export', `${t.dir}/f`, '--out', `${t.dir}/f.tar`])
    const whole = readFileSync(`${t.dir}/f.tar`)
    writeFileSync(`${t.dir}/cut.tar`, whole.subarray(0, whole.length - 1500))
    const r = await ckpt(['import', `${t.dir}/cut.tar`, `${t.dir}/g`])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/invalid checkpoint archive at byte \d+: archive length .*truncated.*nothing was committed/)
    expect(existsSync(`${t.dir}/g/ckpt-index.json`)).toBe(false)
    expect((await ckpt(['import', `${t.dir}/missing.tar`, `${t.dir}/g`])).stderr).toContain('cannot read the archive')
    expect((await ckpt(['export', `${t.dir}/f`])).stderr).toContain('--out FILE is required')
  })
})
