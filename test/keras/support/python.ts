import { createConnection } from 'node:net'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import * as tf from '@tensorflow/tfjs-core'
import { inject } from 'vitest'
import { fsStorage } from '../../../src/storage/fs.js'
import type { Storage } from '../../../src/storage/storage.js'
import { venvPython } from './keras-pool.js'

export { venvPython }

/** Why the interop suite cannot run here, or null when it can. */
export const kerasUnavailable = (): string | null =>
  existsSync(venvPython()) ? null : `no Keras venv at ${venvPython()} (run test/keras/python/setup-venv.sh, or set CKPT_KERAS_VENV)`

export interface KerasServer {
  request<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>
  close(): Promise<void>
}

/** A connection to the run's pool of Keras servers (keras-pool.ts, vitest.config.ts's global setup). */
export const startKerasServer = (): KerasServer => {
  const socketPath = inject('kerasSocket')
  if (socketPath === undefined)
    throw new Error('no Keras server pool: run the interop suites with vitest.config.ts (its globalSetup starts it)')
  const socket = createConnection(socketPath)
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  const failAll = (why: string): void => {
    for (const p of pending.values()) p.reject(new Error(why))
    pending.clear()
  }
  socket.on('error', (e) => failAll(`the Keras pool's socket failed: ${e.message}`))
  socket.on('close', () => failAll("the Keras pool's socket closed"))
  let next = 1
  createInterface({ input: socket }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: number; ok: boolean; error?: string }
    const p = pending.get(reply.id)
    if (p === undefined) return
    pending.delete(reply.id)
    if (reply.ok) p.resolve(reply)
    else p.reject(new Error(`keras: ${reply.error}`))
  })
  return {
    request: <T>(op: string, args: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject })
        socket.write(`${JSON.stringify({ id, op, ...args })}\n`)
      }),
    close: () => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.end(resolve))),
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
