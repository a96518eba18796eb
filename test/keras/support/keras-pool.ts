import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { availableParallelism, homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { TestProject } from 'vitest/node'

/*
 * vitest global setup: one pool of Keras servers (test/keras/python/keras_server.py) for the whole run, behind a
 * Unix socket, instead of one Python process per test file. Importing TensorFlow costs about 8 s of CPU; the
 * Keras suites are a dozen files. The pool starts its first Python process at the first request, and a second
 * only while the first is busy, up to one per vitest fork, so that a long request (generating the model set)
 * never holds up another file's. The requests are stateless: any server answers any of them.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Unix socket of the run's Keras server pool; absent when there is no Keras venv. */
    kerasSocket: string | undefined
  }
}

/** The venv made by test/keras/python/setup-venv.sh. */
export const venvPython = (): string =>
  join(process.env['CKPT_KERAS_VENV'] ?? join(homedir(), '.cache', 'ckpt-keras-venv'), 'bin', 'python')

const SCRIPT = join(import.meta.dirname, '..', 'python', 'keras_server.py')
const MAX_SERVERS = Math.max(2, availableParallelism())

interface Job {
  readonly client: Socket
  readonly request: { id?: unknown } & Record<string, unknown>
}

interface Server {
  readonly child: ChildProcessWithoutNullStreams
  job: Job | undefined
  stderr: string
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!existsSync(venvPython())) {
    project.provide('kerasSocket', undefined)
    return undefined
  }
  const socketPath = join(tmpdir(), `ckpt-keras-${process.pid}.sock`)
  rmSync(socketPath, { force: true })
  const servers: Server[] = []
  const queue: Job[] = []

  const reply = (job: Job, body: Record<string, unknown>): void => {
    if (!job.client.destroyed) job.client.write(`${JSON.stringify({ ...body, id: job.request.id })}\n`)
  }
  const dispatch = (): void => {
    while (queue.length > 0) {
      const server = servers.find((s) => s.job === undefined) ?? (servers.length < MAX_SERVERS ? start() : undefined)
      if (server === undefined) return
      const job = queue.shift()!
      server.job = job
      server.child.stdin.write(`${JSON.stringify(job.request)}\n`)
    }
  }
  const start = (): Server => {
    const child = spawn(venvPython(), [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    const server: Server = { child, job: undefined, stderr: '' }
    child.stderr.on('data', (d: Buffer) => {
      server.stderr = (server.stderr + d.toString()).slice(-4000)
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      const job = server.job
      server.job = undefined
      if (job !== undefined) reply(job, JSON.parse(line) as Record<string, unknown>)
      dispatch()
    })
    child.on('exit', (code) => {
      servers.splice(servers.indexOf(server), 1)
      if (server.job !== undefined) reply(server.job, { ok: false, error: `keras server exited (${code}): ${server.stderr}` })
      dispatch()
    })
    servers.push(server)
    return server
  }

  const listener = createServer((client) => {
    createInterface({ input: client }).on('line', (line) => {
      queue.push({ client, request: JSON.parse(line) as Job['request'] })
      dispatch()
    })
    client.on('error', () => {})
  })
  await new Promise<void>((resolve) => listener.listen(socketPath, resolve))
  project.provide('kerasSocket', socketPath)

  return async () => {
    listener.close()
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.child.on('exit', () => resolve())
            s.child.stdin.end()
            setTimeout(() => s.child.kill('SIGKILL'), 10_000).unref()
          }),
      ),
    )
    rmSync(socketPath, { force: true })
  }
}
