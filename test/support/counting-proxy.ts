/**
 * An HTTP proxy on 127.0.0.1 in front of a local S3 server that counts what passes: connections opened, requests
 * in flight at once (from arrival to the end of the reply) and finished, per kind (part uploads, object GETs), and
 * the bytes of GET replies relayed. For tests of parallel transfers and keep-alive; it never changes a request.
 */
import { createServer, request, type IncomingMessage } from 'node:http'
import { isGet, isPartUpload } from '../../src/testing/index.js'

export type Counted = 'part' | 'get'

export interface CountingProxy {
  readonly endpoint: string
  /** TCP connections clients opened since `reset`. */
  readonly connections: number
  /** The most requests of `kind` in flight at once since `reset`. */
  maxInFlight(kind: Counted): number
  /** Requests of `kind` whose reply has ended since `reset`. */
  finished(kind: Counted): number
  /** Bytes of GET reply bodies relayed since `reset`. */
  readonly getBytes: number
  reset(): void
  stop(): Promise<void>
}

const kindOf = (req: IncomingMessage): Counted | null => (isPartUpload(req) ? 'part' : isGet(req) ? 'get' : null)

export const startCountingProxy = async (upstream: string): Promise<CountingProxy> => {
  const target = new URL(upstream)
  const zero = () => ({ part: 0, get: 0 })
  let inFlight = zero()
  let most = zero()
  let done = zero()
  let connections = 0
  let getBytes = 0
  const server = createServer((req, res) => {
    const kind = kindOf(req)
    if (kind !== null) most[kind] = Math.max(most[kind], ++inFlight[kind])
    let ended = false
    const end = () => {
      if (ended || kind === null) return
      ended = true
      inFlight[kind]--
      done[kind]++
    }
    res.on('close', end)
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.on('data', (chunk: Buffer) => {
        if (kind === 'get') getBytes += chunk.byteLength
        if (!res.write(chunk)) up.pause()
      })
      res.on('drain', () => up.resume())
      res.on('close', () => up.destroy())
      up.on('end', () => res.end())
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return connections
    },
    maxInFlight: (kind) => most[kind],
    finished: (kind) => done[kind],
    get getBytes() {
      return getBytes
    },
    reset: () => {
      inFlight = zero()
      most = zero()
      done = zero()
      connections = 0
      getBytes = 0
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
