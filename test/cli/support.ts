import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/main.js'
import type { Tensors } from '../../src/tensors/index.js'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', name)

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `ckpt argv` in-process through `main`, capturing both streams. */
export const ckpt = async (argv: ReadonlyArray<string>, env: Record<string, string | undefined> = {}): Promise<CliResult> => {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env })
  return { code, stdout, stderr }
}

/**
 * Runs a real `node --import tsx src/cli/main.ts argv` process (or another script) and collects its output. With
 * `launcher`, node is started through that command line (such as a shell that sets limits first).
 */
export const spawnCli = (
  argv: ReadonlyArray<string>,
  options: { env?: Record<string, string>; script?: string[]; launcher?: readonly [string, ...string[]] } = {},
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const args = [process.execPath, ...(options.script ?? ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')]), ...argv]
    const [command, ...launcherArgs] = options.launcher ?? [args.shift()!]
    const child = spawn(command, [...launcherArgs, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })

export const tempDir = (prefix = 'ckpt-cli-'): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A small deterministic tensor record whose values depend on `seed`. */
export const tensorsFor = (seed: number): Tensors => ({
  'dense/kernel': { dtype: 'F32', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => seed * 100 + i + 0.5) },
  'dense/bias': { dtype: 'F32', shape: [4], data: Float32Array.from({ length: 4 }, (_, i) => -seed - i) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(seed)) },
})

export const quiet = { log: () => {} }

/** Why python3 cannot run here, or null when it can. */
export const pythonMissing = (): string | null => {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[:2] >= (3, 8))'], { encoding: 'utf8' })
  return r.error
    ? `python3 is not on PATH (${r.error.message})`
    : r.stdout.trim() === 'True'
      ? null
      : `python3 is too old or broken: ${r.stderr || r.stdout}`
}

/** A stack trace line ("    at f (file:1:2)"): CLI output must never contain one. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

/** A temp folder and a function writing a named file in it (returning its path). Call `cleanup` after. */
export const scratch = (): { dir: string; write: (name: string, text: string) => string; cleanup: () => void } => {
  const tmp = tempDir()
  return {
    ...tmp,
    write: (name, text) => {
      const p = join(tmp.dir, name)
      writeFileSync(p, text)
      return p
    },
  }
}
