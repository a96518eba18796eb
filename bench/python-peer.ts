import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A Python process that times one operation per command (bench/safetensors_peer.py), for ratios measured in the same run. */
export interface PythonPeer {
  /** Runs `command` (e.g. `save /tmp/x.safetensors`) and resolves to the milliseconds Python measured. */
  time(command: string): Promise<number>
  stop(): void
}

/** Starts the peer, or resolves to why it cannot run here (python3, numpy or safetensors missing). */
export const startPythonPeer = async (script: string): Promise<PythonPeer | string> => {
  let child: ChildProcess
  try {
    child = spawn('python3', [fileURLToPath(new URL(script, import.meta.url))], { stdio: ['pipe', 'pipe', 'pipe'] })
  } catch (e) {
    return `python3 cannot be started: ${(e as Error).message}`
  }
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`python3 cannot be started: ${e.message}`))
    child.on('exit', (code) => resolve(`python3 ${script} exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`))
  })
  const next = async (): Promise<string> => {
    const r = await Promise.race([lines.next(), exited])
    if (typeof r === 'string') throw new Error(r)
    if (r.done === true) throw new Error(await exited)
    return r.value
  }
  try {
    if ((await next()) !== 'ready') throw new Error(`python3 ${script} did not say ready`)
  } catch (e) {
    child.kill()
    return (e as Error).message
  }
  return {
    async time(command) {
      child.stdin!.write(`${command}\n`)
      return (JSON.parse(await next()) as { ms: number }).ms
    },
    stop: () => void child.kill(),
  }
}
