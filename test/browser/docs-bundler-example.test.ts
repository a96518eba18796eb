import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildOptions, type Plugin } from 'esbuild'
import { afterAll, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs helper shared with scripts/bundle-size.mjs, untyped
import * as untyped from '../../scripts/browser-bundle.mjs'
import { chromiumFor } from './support/session.js'
import { servePages, type Served } from './support/server.js'

// docs/tfjs.md#browsers' bundler example, as written there: the app is built with the page's esbuild command, the
// wasm binaries copied with its shell line, and the result runs in Chromium: trains, checkpoints to IndexedDB.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const { entryFile, packageImports } = untyped as { entryFile: (name: string) => string; packageImports: () => Plugin }

/** The fenced block after `<!-- bundler-example:<name> -->` in docs/tfjs.md, unindented. */
const docBlock = (name: string): string => {
  const doc = readFileSync(join(ROOT, 'docs/tfjs.md'), 'utf8')
  const at = doc.indexOf(`<!-- bundler-example:${name} -->`)
  if (at < 0) throw new Error(`docs/tfjs.md has no <!-- bundler-example:${name} --> block`)
  const block = /```\w*\n([\s\S]*?)\n\s*```/.exec(doc.slice(at))![1]!
  return block.replace(/^ {2}/gm, '')
}

/** esbuild's JS options for the documented command line; a flag this does not know fails the test (update it with the doc). */
const esbuildOptions = (line: string): { entry: string; options: BuildOptions } => {
  const [tool, entry, ...flags] = line.trim().split(/\s+/)
  expect(tool).toBe('esbuild')
  const options: BuildOptions = {}
  for (const flag of flags) {
    const [name, value] = flag.replace(/^--/, '').split('=') as [string, string | undefined]
    if (name === 'bundle') options.bundle = true
    else if (name === 'splitting') options.splitting = true
    else if (name === 'platform') options.platform = value as BuildOptions['platform']
    else if (name === 'format') options.format = value as BuildOptions['format']
    else if (name === 'outdir') options.outdir = value!
    else throw new Error(`the documented esbuild command has a flag this test does not map: ${flag}`)
  }
  return { entry: entry!, options }
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))

const TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html; charset=utf-8' }

const browser = await chromiumFor('the bundler example of docs/tfjs.md')

if (browser !== null) {
  it('docs/tfjs.md: the esbuild command and the wasm copy build the app, which trains and checkpoints to IndexedDB in Chromium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-docs-bundler-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    const [command, ...shell] = docBlock('build').split('\n')
    const { entry, options } = esbuildOptions(command!)
    writeFileSync(join(dir, entry), docBlock('app'))
    await build({
      ...options,
      entryPoints: [join(dir, entry)],
      absWorkingDir: dir,
      logLevel: 'silent',
      // What node_modules/ckpt is to an app: here the repository's package.json maps, onto its sources.
      plugins: [
        { name: 'ckpt', setup: (b) => void b.onResolve({ filter: /^ckpt(\/|$)/ }, ({ path }) => ({ path: entryFile(path) })) },
        packageImports(),
      ],
      tsconfigRaw: '{}',
    })
    for (const line of shell) execFileSync('bash', ['-c', line], { cwd: dir })
    const outdir = join(dir, options.outdir!)
    writeFileSync(join(outdir, 'index.html'), '<!doctype html><script type="module" src="/app.js"></script>')
    const served = new Map<string, Served>(
      files(outdir).map((f) => [
        `/${relative(outdir, f)}`,
        { type: TYPES[f.split('.').pop()!] ?? 'application/octet-stream', body: readFileSync(f) },
      ]),
    )
    served.set('/', served.get('/index.html')!)
    const server = await servePages(served)
    afterAll(() => server.close())

    const page = await browser.newPage()
    const requested: string[] = []
    page.on('request', (r) => requested.push(new URL(r.url()).pathname))
    const trained = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('trained'), timeout: 90_000 })
    page.on('pageerror', (e) => console.error(`[docs example page error] ${e.stack ?? e.message}`))
    page.on('console', (m) => console.log(`[docs example page ${m.type()}] ${m.text()}`))
    await page.goto(`${server.origin}/`)
    expect((await trained).text()).toBe('trained; kept epoch_04/model.json, epoch_05/model.json')
    // The binaries came from where wasmPaths says (the copy the shell line made).
    expect(requested.some((p) => /^\/tfjs-wasm\/tfjs-backend-wasm[-\w]*\.wasm$/.test(p))).toBe(true)
    await page.close()
  }, 120_000)
}
