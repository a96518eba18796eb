import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// README "Install": ckpt is not on the registry, so a user packs it from a clone and installs the tarball. Done here
// as written (npm pack, which builds dist/, then npm install of the .tgz in a new project), and the installed package
// saves and restores through its public entries and runs its CLI. The optional peers are not installed, so the same
// project shows what a user without tfjs sees (issue 14 item 12). One pack and install for both: it takes ~40 s.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'ckpt-packed-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs a command to its end without blocking this process (vitest's worker must keep answering), resolving to its stdout. */
const run = async (cmd: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout

/** Runs node on a script of the app, resolving to its exit code and both streams (also when it fails). */
const node = async (app: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [script], { cwd: app, encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

/** The new project, with the packed tarball installed (and nothing else). */
let app = ''
beforeAll(async () => {
  const packed = (await run('npm', ['pack', '--pack-destination', work], ROOT)).trim().split('\n').at(-1)!
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  expect(packed).toBe(`ckpt-${version}.tgz`)
  app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await run('npm', ['install', join(work, packed), '--prefer-offline', '--no-audit', '--no-fund'], app)
}, 300_000)

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
    writeFileSync(join(app, 'app.mjs'), APP)
    const out = await run(process.execPath, ['app.mjs', join(work, 'run')], app)
    expect(JSON.parse(out)).toEqual({ path: 'e01.safetensors', w: [1, 2, 3] })
    expect(await run(join(app, 'node_modules', '.bin', 'ckpt'), ['ls', join(work, 'run')], app)).toContain('e01.safetensors')
  }, 120_000)

  it('without tfjs, ckpt/tfjs says what to npm install (static and dynamic import); with tfjs but not the wasm backend, so does useBackend', async () => {
    const tfjs = 'npm install @tensorflow/tfjs-core @tensorflow/tfjs-layers'
    writeFileSync(join(app, 'static.mjs'), "import { modelCheckpoint } from 'ckpt/tfjs'\nconsole.log(typeof modelCheckpoint)\n")
    const stat = await node(app, 'static.mjs')
    expect(stat.code).not.toBe(0)
    expect(stat.stderr).toContain(`ckpt/tfjs needs @tensorflow/tfjs-core (^4.22.0), which is not installed: ${tfjs}`)
    expect(stat.stderr).not.toContain('ERR_MODULE_NOT_FOUND')
    const report = 'console.log(JSON.stringify({ name: e.constructor.name, tag: e._tag, package: e.package, message: e.message }))'
    writeFileSync(join(app, 'dynamic.mjs'), `try { await import('ckpt/tfjs') } catch (e) { ${report} }\n`)
    expect(JSON.parse((await node(app, 'dynamic.mjs')).stdout)).toEqual({
      name: 'CkptTfjsError',
      tag: 'MissingPackage',
      package: '@tensorflow/tfjs-core',
      message: `ckpt/tfjs needs @tensorflow/tfjs-core (^4.22.0), which is not installed: ${tfjs}`,
    })

    // tfjs-core and tfjs-layers linked in from the repo (as npm link would), the wasm backend still missing.
    mkdirSync(join(app, 'node_modules', '@tensorflow'))
    for (const p of ['tfjs-core', 'tfjs-layers'])
      symlinkSync(join(ROOT, 'node_modules', '@tensorflow', p), join(app, 'node_modules', '@tensorflow', p), 'dir')
    expect((await node(app, 'static.mjs')).stdout.trim()).toBe('function')
    writeFileSync(
      join(app, 'wasm.mjs'),
      `import { useBackend } from 'ckpt/tfjs'\ntry { await useBackend('wasm') } catch (e) { ${report} }\n`,
    )
    expect(JSON.parse((await node(app, 'wasm.mjs')).stdout)).toEqual({
      name: 'CkptTfjsError',
      tag: 'BackendUnavailable',
      message:
        "ckpt/tfjs: the tfjs 'wasm' backend could not be initialised: it needs @tensorflow/tfjs-backend-wasm (^4.22.0), which is not installed: npm install @tensorflow/tfjs-backend-wasm",
    })
  }, 120_000)
})
