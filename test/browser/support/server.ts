import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Served {
  readonly body: string | Uint8Array
  readonly type: string
}

export interface PageServer {
  /** `http://127.0.0.1:<port>`: a secure context, so IndexedDB, OPFS and Web Locks are there. */
  readonly origin: string
  readonly close: () => Promise<void>
}

/**
 * Serves `files` (path → body) on 127.0.0.1, with the cross-origin isolation headers (so pages may use
 * SharedArrayBuffer, as threaded wasm does). Anything else is a 404.
 */
export const servePages = async (files: ReadonlyMap<string, Served>): Promise<PageServer> => {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    const file = files.get(path)
    if (file === undefined && path === '/favicon.ico') {
      response.writeHead(204).end() // asked for by every page; a 404 would print a console error
      return
    }
    if (file === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    response.end(file.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    // Keep-alive connections of a page still open (a persistent profile's context) would hold `close` for ever.
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A page that loads `/page.js` as a module. */
export const PAGE_HTML: Served = {
  type: 'text/html; charset=utf-8',
  body: '<!doctype html><meta charset="utf-8"><title>ckpt browser test</title><script type="module" src="/page.js"></script>',
}
