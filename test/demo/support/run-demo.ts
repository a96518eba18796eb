import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The repository's root, where `npm run demo` runs. */
export const root = fileURLToPath(new URL('../../..', import.meta.url))

/** Runs examples/demo.ts as `npm run demo` does (tsx, from the root) with `args`; its exit code and stdout+stderr. */
export const runDemo = (args: ReadonlyArray<string>): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => resolve({ code, out }))
  })
