/**
 * An HTTP proxy on 127.0.0.1 in front of a local S3 server that fails the n-th matching request:
 * a 503 ServiceUnavailable answer, a connection reset before the server sees the request, a reset after the server
 * has applied it (the answer is lost), or a response body cut short (truncated read). It can also re-send replies
 * chunked, without `Content-Length`, as some S3-compatible servers and proxies do, whole or ended early.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/**
 * - `503`, `reset`, `reset-after`, `truncate`: see above; `truncate` sends half the body, then resets.
 * - `chunked`: the reply is re-sent with `Transfer-Encoding: chunked` and no `Content-Length` (a `206` keeps its
 *   `Content-Range`; a `200`, the whole object, has none), and a HEAD reply without `Content-Length`.
 * - `chunked-truncate`: chunked, half the body, then a reset.
 * - `chunked-short`: chunked, half the body, then a clean end (the last chunk), as if the object were that long.
 * - `stall`: the reply's headers and half its body, then nothing more on a connection held open, as a server or a
 *   network path that hangs does (only a client-side timeout ends it).
 * - `no-etag`: the reply without its `ETag` header, as some S3-compatible gateways and proxies send it.
 * - `slow`: nothing at all for `delayMs`, then the whole reply, as a server that works long before it answers does
 *   (s3rver assembling a large object's parts at CompleteMultipartUpload).
 */
export type HttpFaultKind =
  '503' | 'reset' | 'reset-after' | 'truncate' | 'chunked' | 'chunked-truncate' | 'chunked-short' | 'stall' | 'no-etag' | 'slow'

export interface HttpFault {
  readonly kind: HttpFaultKind
  /** The n-th matching request (1-based) fails. */
  readonly nth: number
  /** How many matching requests fail, from the n-th on. Default 1; `Infinity` for every one. */
  readonly times?: number
  /** Which requests count. Default: all. */
  readonly match?: (req: IncomingMessage) => boolean
  /**
   * The failing request is sent on without its `Range` header, so the server answers with the whole object, as a
   * server that ignores ranges does. SigV4 signs `Range`: the server must not check signatures (moto does not).
   */
  readonly dropRange?: boolean
  /** How long a `slow` reply is held back, in ms. Default 2000. */
  readonly delayMs?: number
}

export interface FaultProxy {
  readonly endpoint: string
  /** Counting starts now; `fault` (if any) fires on its n-th matching request. */
  arm(fault?: HttpFault): void
  /** Requests seen since `arm`, as "METHOD url". */
  readonly requests: ReadonlyArray<string>
  readonly fired: boolean
  /** Bytes of reply bodies sent on to the client since `arm`. */
  readonly bodyBytes: number
  stop(): Promise<void>
}

const UNAVAILABLE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>injected: service unavailable</Message></Error>'

export const isPartUpload = (req: IncomingMessage): boolean => req.method === 'PUT' && /[?&]partNumber=/.test(req.url ?? '')
export const isGet = (req: IncomingMessage): boolean => req.method === 'GET' && !/[?&](list-type|uploads|uploadId)=?/.test(req.url ?? '')

/** The reply's headers without `Content-Length`: Node then sends the body chunked (and a HEAD reply without a length). */
const withoutLength = (headers: IncomingHttpHeaders): IncomingHttpHeaders => {
  const { 'content-length': _length, 'transfer-encoding': _framing, ...rest } = headers
  return rest
}

export interface FaultProxyOptions {
  /**
   * Conditional writes (a PUT or POST with `If-Match` or `If-None-Match`) reach the server one at a time, each
   * after the previous one's reply ended. moto 5 checks a condition and then writes without a lock, so two writers
   * racing on one key can both pass; S3 decides each conditional write atomically, which this restores.
   */
  readonly serializeConditionalWrites?: boolean
}

const isConditionalWrite = (req: IncomingMessage): boolean =>
  (req.method === 'PUT' || req.method === 'POST') && (req.headers['if-match'] !== undefined || req.headers['if-none-match'] !== undefined)

export const startFaultProxy = async (upstream: string, options: FaultProxyOptions = {}): Promise<FaultProxy> => {
  const target = new URL(upstream)
  let fault: HttpFault | undefined
  let seen = 0
  let fired = false
  let requests: string[] = []
  let bodyBytes = 0

  const forward = (req: IncomingMessage, dropRange: boolean, onResponse: (res: IncomingMessage) => void, onError: () => void) => {
    const { range: _range, ...unranged } = req.headers
    const headers = dropRange ? unranged : req.headers
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, onResponse)
    out.on('error', onError)
    req.pipe(out)
  }

  /** Sends the first half of `up`'s body (its length from Content-Length), then resets the connection, ends cleanly, or holds it. */
  const sendHalf = (req: IncomingMessage, up: IncomingMessage, res: ServerResponse, end: 'reset' | 'clean' | 'hold') => {
    const half = Math.floor(Number(up.headers['content-length'] ?? 0) / 2)
    const kill = () => req.socket.destroy()
    let sent = 0
    const finish = () => {
      up.destroy()
      if (end === 'clean') res.end()
      else if (end === 'reset') setImmediate(kill)
    }
    if (half === 0) return finish()
    up.on('data', (chunk: Buffer) => {
      const room = half - sent
      if (room <= 0) return
      const part = chunk.subarray(0, room)
      res.write(part)
      sent += part.byteLength
      bodyBytes += part.byteLength
      if (sent >= half) finish()
    })
    up.on('end', end === 'clean' ? () => res.end() : end === 'reset' ? kill : () => undefined)
  }

  /** Sends `up`'s body on, as fast as the client reads it, counting the bytes; a client that hangs up stops it. */
  const relay = (up: IncomingMessage, res: ServerResponse) => {
    up.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.byteLength
      if (!res.write(chunk)) up.pause()
    })
    res.on('drain', () => up.resume())
    res.on('close', () => up.destroy())
    up.on('end', () => res.end())
  }

  /** Settles when the last conditional write let through has had its reply. */
  let conditional: Promise<void> = Promise.resolve()
  const server: Server = createServer((req, res) => {
    if (options.serializeConditionalWrites !== true || !isConditionalWrite(req)) return handle(req, res)
    const before = conditional
    conditional = new Promise<void>((release) => {
      res.on('close', release)
      void before.then(() => handle(req, res))
    })
  })
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`)
    const counts = fault !== undefined && (fault.match === undefined || fault.match(req))
    const now = counts ? ++seen : 0
    const inject = counts && now >= fault!.nth && now < fault!.nth + (fault!.times ?? 1) ? fault!.kind : undefined
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
      inject !== undefined && fault!.dropRange === true,
      (up) => {
        if (inject === 'reset-after') {
          up.resume()
          up.on('end', kill)
          return
        }
        if (inject === 'slow') {
          up.pause()
          setTimeout(() => {
            res.writeHead(up.statusCode ?? 502, up.headers)
            relay(up, res)
            up.resume()
          }, fault!.delayMs ?? 2000)
          return
        }
        const chunked = inject === 'chunked' || inject === 'chunked-truncate' || inject === 'chunked-short'
        const { etag: _etag, ...withoutEtag } = up.headers
        res.writeHead(up.statusCode ?? 502, chunked ? withoutLength(up.headers) : inject === 'no-etag' ? withoutEtag : up.headers)
        if (inject === 'truncate' || inject === 'chunked-truncate') return sendHalf(req, up, res, 'reset')
        if (inject === 'chunked-short') return sendHalf(req, up, res, 'clean')
        if (inject === 'stall') return sendHalf(req, up, res, 'hold')
        relay(up, res)
      },
      () => res.destroy(),
    )
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm: (f) => {
      fault = f
      seen = 0
      fired = false
      requests = []
      bodyBytes = 0
    },
    get requests() {
      return requests
    },
    get fired() {
      return fired
    },
    get bodyBytes() {
      return bodyBytes
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
