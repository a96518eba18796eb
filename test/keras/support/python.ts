import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import * as tf from '@tensorflow/tfjs-core'
import { fsStorage } from '../../../src/storage/fs.js'
import type { Storage } from '../../../src/storage/storage.js'

/** The venv made by test/keras/python/setup-venv.sh. */
export const venvPython = (): string =>
  join(process.env['CKPT_KERAS_VENV'] ?? join(homedir(), '.cache', 'ckpt-keras-venv'), 'bin', 'python')

/** Why the interop suite cannot run here, or null when it can. */
export const kerasUnavailable = (): string | null =>
  existsSync(venvPython()) ? null : `no Keras venv at ${venvPython()} (run test/keras/python/setup-venv.sh, or set CKPT_KERAS_VENV)`

export interface KerasServer {
  request<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>
  close(): Promise<void>
}

/** Starts one Python process that serves every request of a test file. */
export const startKerasServer = (): KerasServer => {
  const script = join(import.meta.dirname, '..', 'python', 'keras_server.py')
  const child: ChildProcessWithoutNullStreams = spawn(venvPython(), [script], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  let next = 1
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: number; ok: boolean; error?: string }
    const p = pending.get(reply.id)
    if (p === undefined) return
    pending.delete(reply.id)
    if (reply.ok) p.resolve(reply)
    else p.reject(new Error(`keras: ${reply.error}`))
  })
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`keras server exited (${code}): ${stderr}`))
    pending.clear()
  })
  return {
    request: <T>(op: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject })
        child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`)
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.on('exit', () => resolve())
        child.stdin.end()
      }),
  }
}

/** What an interop test file shares: one Keras server, and a scratch folder both frameworks read and write. */
export interface KerasSession {
  readonly keras: KerasServer
  readonly dir: string
  readonly storage: Storage
  /** Python Keras's version. */
  readonly version: string
}

/** Selects the cpu backend, starts the Keras server (and waits for it), and makes a scratch folder. */
export const openKerasSession = async (prefix: string): Promise<KerasSession> => {
  await tf.setBackend('cpu')
  const keras = startKerasServer()
  const pong = await keras.request<{ keras: string }>('ping')
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { keras, dir, storage: fsStorage(dir, { fsync: false }), version: pong.keras }
}

export const closeKerasSession = async (session: KerasSession | undefined): Promise<void> => {
  await session?.keras.close()
  if (session) await rm(session.dir, { recursive: true, force: true })
}
