import { execFile } from 'node:child_process'

/** A Python oracle's answer, or why it could not run here (the caller skips, printing it). */
export type OracleResult<A> = { readonly answer: A } | { readonly unavailable: string }

/**
 * Runs a Python oracle script with `request` as JSON on stdin; its answer is the last line of stdout (anything the
 * peers print before it is ignored). Without python3 the result says so; a script that fails rejects with its stderr.
 */
export const askPython = <A>(script: string, request: unknown, what: string): Promise<OracleResult<A>> =>
  new Promise((resolve, reject) => {
    const child = execFile('python3', [script], { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve({ unavailable: 'python3 is not installed' })
      else if (error !== null) reject(new Error(`${what} failed: ${error.message}\n${stderr.slice(-4000)}`))
      else resolve({ answer: JSON.parse(stdout.trim().split('\n').at(-1)!) as A })
    })
    child.stdin!.end(JSON.stringify(request))
  })
