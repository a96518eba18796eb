import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointer } from '../../src/checkpointer/index.js'
import { fsStorage } from '../../src/storage/fs.js'
import { ckpt, fixture, quiet, repoRoot, spawnCli, STACK_LINE, tempDir, tensorsFor } from './support.js'

const tmp = tempDir()
const run = join(tmp.dir, 'run')

beforeAll(async () => {
  const c = await createCheckpointer({ filepath: 'e{epoch}.safetensors', monitor: 'loss', storage: fsStorage(run), ...quiet })
  for (let epoch = 0; epoch < 2; epoch++) await c.onEpochEnd({ epoch, logs: { loss: 1 - epoch / 10 } }, tensorsFor(epoch))
  await c.close()
  const file = join(run, 'e2.safetensors')
  const bytes = readFileSync(file)
  bytes[100] = bytes[100]! ^ 0xff
  writeFileSync(file, bytes)
})
afterAll(tmp.cleanup)

describe('ckpt as a real process (node --import tsx src/cli/main.ts)', () => {
  it('prints the same simulate output as main() and exits 0', async () => {
    const argv = ['simulate', '--config', fixture('policy.json'), '--csv', fixture('training.log')]
    const [child, inProcess] = await Promise.all([spawnCli(argv), ckpt(argv)])
    expect(child.stderr).toBe('')
    expect(child.code).toBe(0)
    expect(child.stdout).toBe(inProcess.stdout)
  })
  it('exits 1 from verify on a corrupt checkpoint, naming it', async () => {
    const r = await spawnCli(['verify', run])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('CORRUPT  e2.safetensors')
    expect(r.stdout).toContain('1 of 2 checkpoints corrupt: e2.safetensors')
  })
  it('ends quietly (exit 0, nothing on stderr) when the reader closes the pipe early, as `| head -1` does', async () => {
    const history = join(tmp.dir, 'big.jsonl')
    const lines: string[] = []
    for (let epoch = 0; epoch < 20; epoch++)
      for (let batch = 0; batch < 50; batch++) lines.push(JSON.stringify({ epoch, batch, logs: { loss: 1 / (1 + epoch * 100 + batch) } }))
    writeFileSync(history, lines.join('\n'))
    const config = join(tmp.dir, 'every-batch.json')
    writeFileSync(config, JSON.stringify({ filepath: 's-{epoch}-{batch}.st', monitor: 'loss', saveFreq: 1, verbose: 1 }))
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'simulate', '--config', config, '--events', history],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })

  it('exits 2 on a bad flag, with a one-line reason and no stack trace', async () => {
    const r = await spawnCli(['ls', run, '--colour'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`ckpt ls: Unknown option '--colour'\nRun 'ckpt ls --help' for usage.\n`)
    expect(r.stderr).not.toMatch(STACK_LINE)
  })
})

describe('bin/ckpt.js, the installed launcher, over a built dist/cli/main.js', () => {
  // A package-shaped tree (bin/, dist/cli/main.js bundled by esbuild, package.json) inside node_modules/.cache,
  // so the bundle's external packages resolve from the repo's node_modules as in an install.
  let root = ''
  beforeAll(async () => {
    const cache = join(repoRoot, 'node_modules', '.cache', 'ckpt-test')
    mkdirSync(cache, { recursive: true })
    root = mkdtempSync(join(cache, 'cli-'))
    mkdirSync(join(root, 'bin'))
    copyFileSync(join(repoRoot, 'bin', 'ckpt.js'), join(root, 'bin', 'ckpt.js'))
    copyFileSync(join(repoRoot, 'package.json'), join(root, 'package.json'))
    await build({
      entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: join(root, 'dist', 'cli', 'main.js'),
      packages: 'external',
      conditions: ['node'],
      logLevel: 'silent',
    })
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('starts with a node shebang and runs commands with their exit codes', async () => {
    expect(readFileSync(join(repoRoot, 'bin', 'ckpt.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node')
    const bin = { script: [join(root, 'bin', 'ckpt.js')] }
    const version = await spawnCli(['--version'], bin)
    expect(version).toEqual({
      code: 0,
      stdout: `${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`,
      stderr: '',
    })
    const format = await spawnCli(['format', 'ckpt-{epoch:02d}-{val_loss:.4f}.keras', 'epoch=7', 'val_loss=0.123456'], bin)
    expect(format).toEqual({ code: 0, stdout: 'ckpt-07-0.1235.keras\n', stderr: '' })
    expect((await spawnCli(['verify', run], bin)).code).toBe(1)
    expect((await spawnCli(['nope'], bin)).code).toBe(2)
  })

  it('says to build when dist/cli/main.js is missing, exit 3, no stack trace', async () => {
    const bare = join(root, 'bare')
    mkdirSync(join(bare, 'bin'), { recursive: true })
    copyFileSync(join(repoRoot, 'bin', 'ckpt.js'), join(bare, 'bin', 'ckpt.js'))
    writeFileSync(join(bare, 'package.json'), '{"type":"module"}')
    const r = await spawnCli(['--help'], { script: [join(bare, 'bin', 'ckpt.js')] })
    expect(r.code).toBe(3)
    expect(r.stderr).toBe('ckpt: dist/cli/main.js is missing; run `npm run build` first\n')
  })
})
