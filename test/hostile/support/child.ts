import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** What a child run came to: its last stdout line as JSON, or why it was stopped. */
export type ChildOutcome =
  | { readonly _tag: 'Done'; readonly report: unknown; readonly stderr: string }
  | { readonly _tag: 'Killed'; readonly reason: string; readonly observedRssBytes: number; readonly elapsedMs: number }
  | { readonly _tag: 'Failed'; readonly code: number | null; readonly stderr: string }

const rssOf = (pid: number): number => {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}

/**
 * Runs `node --expose-gc --import tsx <script> ...args` (script relative to the repository), and kills it when
 * its RSS passes `killAboveBytes` or it runs past `timeoutMs`: a reader that does blow up (as on a build without
 * the fix) is stopped long before it can take the machine's memory. The RSS is polled every 10 ms for that guard
 * only; the budgets themselves are asserted on what the child measures (see `peak.ts`).
 */
export const runChild = (
  script: string,
  args: ReadonlyArray<string>,
  limits: { readonly killAboveBytes: number; readonly timeoutMs: number },
): Promise<ChildOutcome> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(repoRoot, script), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let observed = 0
    let killed: string | null = null
    const stop = (reason: string): void => {
      if (killed !== null) return
      killed = reason
      child.kill('SIGKILL')
    }
    const poll = setInterval(() => {
      if (child.pid === undefined) return
      observed = Math.max(observed, rssOf(child.pid))
      if (observed > limits.killAboveBytes) stop(`RSS passed ${limits.killAboveBytes} bytes`)
      else if (performance.now() - started > limits.timeoutMs) stop(`ran past ${limits.timeoutMs} ms`)
    }, 10)
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (e) => {
      clearInterval(poll)
      reject(e)
    })
    child.on('close', (code) => {
      clearInterval(poll)
      const elapsedMs = performance.now() - started
      if (killed !== null) return resolve({ _tag: 'Killed', reason: killed, observedRssBytes: observed, elapsedMs })
      const last = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0 || last === '') return resolve({ _tag: 'Failed', code, stderr })
      resolve({ _tag: 'Done', report: JSON.parse(last) as unknown, stderr })
    })
  })
