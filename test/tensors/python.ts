import { spawnSync } from 'node:child_process'

/** Runs `python3 -c script` with `input` on stdin; returns stdout as bytes, or throws with stderr. */
export const runPython = (script: string, input: Uint8Array = new Uint8Array(0), args: ReadonlyArray<string> = []): Buffer => {
  const r = spawnSync('python3', ['-c', script, ...args], { input, maxBuffer: 1 << 28 })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr.toString()}`)
  return r.stdout
}

/** Why a Python oracle is unavailable (python3 or a module missing), or `undefined` when it is there. */
export const pythonMissing = (modules: ReadonlyArray<string>): string | undefined => {
  const r = spawnSync('python3', ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'])
  if (r.error) return `python3 is not available (${r.error.message})`
  if (r.status !== 0) return `python3 lacks ${modules.join(', ')}: ${r.stderr.toString().trim().split('\n').pop()}`
  return undefined
}

/** Runs the Python file `script` as `__main__` with `args`, `input` as JSON on stdin; returns its stdout parsed as JSON. */
export const runPythonJson = <A>(script: string, args: ReadonlyArray<string>, input?: unknown): A =>
  JSON.parse(
    runPython(
      `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`,
      input === undefined ? undefined : new TextEncoder().encode(JSON.stringify(input)),
      [script, ...args],
    ).toString(),
  ) as A
