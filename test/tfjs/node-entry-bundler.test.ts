/**
 * `ckpt/tfjs`'s Node entry (node-entry.ts) loads the adapter with a top-level await, which esbuild cannot emit as
 * CommonJS, its default output for `--platform=node`. A bundler matches package.json's `node` condition too, so the
 * bundlers' `module` condition (which Node never matches) sends them to the plain index first, while Node still takes
 * node-entry.js. Checked on package.json's real `exports`, with stand-ins of the two built files.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
let project: string

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'ckpt-node-entry-bundler-'))
  const pkg = join(project, 'node_modules', 'ckpt')
  await mkdir(join(pkg, 'dist', 'adapters', 'tfjs'), { recursive: true })
  await writeFile(join(pkg, 'package.json'), await readFile(join(ROOT, 'package.json')))
  // The built files' shapes: the index exports the adapter; the Node entry re-exports it after a top-level await.
  await writeFile(join(pkg, 'dist', 'adapters', 'tfjs', 'index.js'), "export const entry = 'index'\n")
  await writeFile(join(pkg, 'dist', 'adapters', 'tfjs', 'node-entry.js'), "export const { entry } = await import('./index.js')\n")
  await writeFile(join(project, 'app.js'), "import { entry } from 'ckpt/tfjs'\nconsole.log(entry)\n")
})
afterAll(async () => {
  await rm(project, { recursive: true, force: true })
})

describe("ckpt/tfjs's Node entry and bundlers", () => {
  it('esbuild --bundle --platform=node (CommonJS output, its default) bundles an import of ckpt/tfjs', async () => {
    const out = await build({ entryPoints: [join(project, 'app.js')], bundle: true, platform: 'node', write: false, logLevel: 'silent' })
    expect(out.outputFiles[0]?.text).toContain('entry = "index"')
  })

  it('Node itself still resolves ckpt/tfjs to the Node entry', () => {
    const resolved = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('ckpt/tfjs'))"], {
      cwd: project,
      encoding: 'utf8',
    })
    expect(resolved.trim()).toMatch(/\/node_modules\/ckpt\/dist\/adapters\/tfjs\/node-entry\.js$/)
  })
})
