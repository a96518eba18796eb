/**
 * An HTTP proxy on 127.0.0.1 in front of a local S3 server that fails the n-th matching request:
 * a 503 ServiceUnavailable answer, a connection reset before the server sees the request, a reset after the server
 * has applied it (the answer is lost), or a response body cut short (truncated read).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http'

export type HttpFaultKind = '503' | 'reset' | 'reset-after' | 'truncate'

export interface HttpFault {
  readonly kind: HttpFaultKind
  /** The n-th matching request (1-based) fails. */
  readonly nth: number
  /** Which requests count. Default: all. */
  readonly match?: (req: IncomingMessage) => boolean
}

export interface FaultProxy {
  readonly endpoint: string
  /** Counting starts now; `fault` (if any) fires on its n-th matching request. */
  arm(fault?: HttpFault): void
  /** Requests seen since `arm`, as "METHOD url". */
  readonly requests: ReadonlyArray<string>
  readonly fired: boolean
  stop(): Promise<void>
}

const UNAVAILABLE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>injected: service unavailable</Message></Error>'

export const isPartUpload = (req: IncomingMessage): boolean => req.method === 'PUT' && /[?&]partNumber=/.test(req.url ?? '')
export const isGet = (req: IncomingMessage): boolean => req.method === 'GET' && !/[?&](list-type|uploads|uploadId)=?/.test(req.url ?? '')

export const startFaultProxy = async (upstream: string): Promise<FaultProxy> => {
  const target = new URL(upstream)
  let fault: HttpFault | undefined
  let seen = 0
  let fired = false
  let requests: string[] = []

  const forward = (req: IncomingMessage, onResponse: (res: IncomingMessage) => void, onError: () => void) => {
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, onResponse)
    out.on('error', onError)
    req.pipe(out)
  }

  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const counts = fault !== undefined && (fault.match === undefined || fault.match(req))
    const now = counts ? ++seen : 0
    const inject = counts && !fired && now === fault!.nth ? fault!.kind : undefined
    if (inject !== undefined) fired = true
    const kill = () => req.socket.destroy()
    if (inject === 'reset') return kill()
    if (inject === '503') {
      req.resume()
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(UNAVAILABLE) })
        res.end(UNAVAILABLE)
      })
      return
    }
    forward(
      req,
      (up) => {
        if (inject === 'reset-after') {
          up.resume()
          up.on('end', kill)
          return
        }
        res.writeHead(up.statusCode ?? 502, up.headers)
        if (inject === 'truncate') {
          const length = Number(up.headers['content-length'] ?? 0)
          let sent = 0
          up.on('data', (chunk: Buffer) => {
            const room = Math.floor(length / 2) - sent
            if (room > 0) res.write(chunk.subarray(0, room))
            sent += Math.min(chunk.byteLength, Math.max(room, 0))
            if (sent >= Math.floor(length / 2)) {
              up.destroy()
              setImmediate(kill)
            }
          })
          up.on('end', kill)
          return
        }
        up.pipe(res)
      },
      () => res.destroy(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm: (f) => {
      fault = f
      seen = 0
      fired = false
      requests = []
    },
    get requests() {
      return requests
    },
    get fired() {
      return fired
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
