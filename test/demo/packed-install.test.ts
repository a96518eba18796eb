import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// README "Install": ckpt is not on the registry, so a user packs it from a clone and installs the tarball. Done here
// as written (npm pack, which builds dist/, then npm install of the .tgz in a new project), and the installed package
// saves and restores through its public entries and runs its CLI.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'ckpt-packed-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs a command to its end without blocking this process (vitest's worker must keep answering), resolving to its stdout. */
const run = async (cmd: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout

const APP = `
import { createCheckpointer } from 'ckpt'
import { fsStorage } from 'ckpt/storage/fs'
const storage = fsStorage(process.argv[2])
const c = await createCheckpointer({ storage, filepath: 'e{epoch:02d}.safetensors', monitor: 'loss', log: () => {} })
await c.onEpochEnd({ epoch: 0, logs: { loss: 0.5 } }, { w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } })
await c.close()
const again = await createCheckpointer({ storage, filepath: 'e{epoch:02d}.safetensors', monitor: 'loss', log: () => {} })
const r = await again.restore()
console.log(JSON.stringify({ path: r.entry.path, w: Array.from(r.value.w.data) }))
await again.close()
`

describe('README Install: from a tarball packed from a clone', () => {
  it('npm pack, then npm install of the .tgz in a new project: ckpt and ckpt/storage/fs import, save and restore; the ckpt CLI runs', async () => {
    const packed = (await run('npm', ['pack', '--pack-destination', work], ROOT)).trim().split('\n').at(-1)!
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(packed).toBe(`ckpt-${version}.tgz`)
    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
    await run('npm', ['install', join(work, packed), '--prefer-offline', '--no-audit', '--no-fund'], app)
    writeFileSync(join(app, 'app.mjs'), APP)
    const out = await run(process.execPath, ['app.mjs', join(work, 'run')], app)
    expect(JSON.parse(out)).toEqual({ path: 'e01.safetensors', w: [1, 2, 3] })
    expect(await run(join(app, 'node_modules', '.bin', 'ckpt'), ['ls', join(work, 'run')], app)).toContain('e01.safetensors')
  }, 300_000)
})
