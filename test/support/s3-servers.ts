/**
 * Local S3-protocol servers (s3rver, moto_server, moto behind a fault proxy) for tests and benches. No vitest here:
 * `npm run bench` imports it outside the test runner; the suite hooks are in test/storage/servers.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { S3StorageOptions } from '../../src/storage/s3.js'
import { startFaultProxy, type FaultProxy } from '../../src/testing/index.js'

/** A local S3-protocol server started by a test suite. */
export interface S3Server {
  readonly kind: 's3rver' | 'moto'
  readonly endpoint: string
  readonly bucket: string
  readonly credentials: { accessKeyId: string; secretAccessKey: string }
  /** The server's process, for measuring its memory. */
  readonly pid: number | undefined
  stop(): Promise<void>
}

const waitForLine = (child: ChildProcess, what: string, timeoutMs: number): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, nl))
      }
    })
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited with ${code}; stderr: ${err}`))
    })
  })

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })

/** Starts s3rver 3.7.1 in a child node process with --openssl-legacy-provider, on 127.0.0.1 and a free port. */
export const startS3rver = async (bucket = 'ckpt-test'): Promise<S3Server> => {
  const directory = await mkdtemp(join(tmpdir(), 'ckpt-s3rver-'))
  const script = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url))
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, directory, bucket], { stdio: ['pipe', 'pipe', 'pipe'] })
  const { port } = JSON.parse(await waitForLine(child, 's3rver', 20_000)) as { port: number }
  return {
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    pid: child.pid,
    stop: async () => {
      await stopChild(child)
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** Why moto_server cannot run here, or null when it is on PATH. */
export const motoMissing = (): string | null => {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' })
  return probe.error
    ? `moto_server is not on PATH (${probe.error.message}); install it with: pip install 'moto[server]'`
    : probe.status === 0
      ? null
      : `moto_server --help exited with ${probe.status}`
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** Starts `moto_server -H 127.0.0.1 -p <free port>` and creates `bucket` with the SDK. */
export const startMoto = async (bucket = 'ckpt-test'): Promise<S3Server> => {
  const port = await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  // moto logs every request: drain its output (a full pipe would block the server), keeping the tail for errors.
  let tail = ''
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited: string | null = null
  child.on('exit', (code) => (exited = `moto_server exited with ${code}: ${tail}`))
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited !== null) throw new Error(exited)
    try {
      const res = await fetch(`${endpoint}/moto-api/`)
      await res.arrayBuffer()
      break
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child)
        throw new Error('moto_server did not answer within 30 s')
      }
      await new Promise((r) => setTimeout(r, 150))
    }
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' }
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3')
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  client.destroy()
  return { kind: 'moto', endpoint, bucket, credentials, pid: child.pid, stop: () => stopChild(child) }
}

/** s3Storage options for `server` under a fresh random prefix, with 5 MiB parts (so multipart starts early). */
export const storageOptions = (server: S3Server, extra: Partial<S3StorageOptions> = {}): S3StorageOptions => ({
  bucket: server.bucket,
  prefix: `t-${randomBytes(6).toString('hex')}`,
  endpoint: server.endpoint,
  forcePathStyle: true,
  credentials: server.credentials,
  partSize: 5 * 1024 * 1024,
  ...extra,
})

/** moto_server with a fault proxy (`ckpt/testing`) in front; `options` point a storage at the proxy. */
export interface ProxiedMoto {
  readonly server: S3Server
  readonly proxy: FaultProxy
  options(extra?: Partial<S3StorageOptions>): S3StorageOptions
  stop(): Promise<void>
}

export const startProxiedMoto = async (): Promise<ProxiedMoto> => {
  const server = await startMoto()
  const proxy = await startFaultProxy(server.endpoint).catch(async (e: unknown) => {
    await server.stop()
    throw e
  })
  return {
    server,
    proxy,
    options: (extra = {}) => storageOptions(server, { endpoint: proxy.endpoint, ...extra }),
    stop: async () => {
      await proxy.stop()
      await server.stop()
    },
  }
}
