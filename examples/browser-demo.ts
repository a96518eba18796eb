// The browser demo: bundles examples/browser/page.ts with esbuild and serves it on 127.0.0.1 with tfjs's wasm
// binaries. Open the printed URL, watch it train and save, reload mid-training: it resumes from the latest checkpoint.
//
//   npm run demo:browser                  # http://127.0.0.1:8317/
//   npm run demo:browser -- --port 0      # any free port (the tests)
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build, type Plugin } from 'esbuild'
// @ts-expect-error -- a plain .mjs helper shared with scripts/bundle-size.mjs, untyped
import * as untyped from '../scripts/browser-bundle.mjs'

/**
 * `ckpt/*` names and ckpt's `#platform/*` imports as package.json maps them under the browser conditions, onto this
 * repository's sources: what an app's bundler does with the published package, from node_modules/ckpt/dist.
 */
const { entryFile, packageImports } = untyped as { entryFile: (name: string) => string; packageImports: () => Plugin }
const ckptEntries: Plugin = {
  name: 'ckpt-entries',
  setup: (b) => void b.onResolve({ filter: /^ckpt(\/|$)/ }, ({ path }) => ({ path: entryFile(path) })),
}

const { values: args } = parseArgs({ options: { port: { type: 'string', default: '8317' } } })
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const bundle = await build({
  entryPoints: [here('./browser/page.ts')],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'chrome120',
  minify: true,
  write: false,
  logLevel: 'warning',
  plugins: [ckptEntries, packageImports()],
  // The repository's tsconfig "paths" send `#platform/*` to Node's side, for tsc and tsx: not for a page.
  tsconfigRaw: '{}',
  // Keras's HDF5 reader, imported on demand: this page never reaches it.
  external: ['h5wasm'],
})

const wasmDir = here('../node_modules/@tensorflow/tfjs-backend-wasm/dist/')
const files = new Map<string, { readonly type: string; readonly body: string | Uint8Array }>([
  ['/', { type: 'text/html; charset=utf-8', body: readFileSync(here('./browser/index.html')) }],
  ['/page.js', { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.contents }],
  ...readdirSync(wasmDir)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => [`/wasm/${f}`, { type: 'application/wasm', body: readFileSync(`${wasmDir}${f}`) }] as const),
])

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname
  const file = files.get(path)
  if (file === undefined) return void response.writeHead(path === '/favicon.ico' ? 204 : 404).end()
  // Cross-origin isolated: tfjs's wasm backend may then use threads (SharedArrayBuffer).
  response.writeHead(200, {
    'content-type': file.type,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  })
  response.end(file.body)
})
server.listen(Number(args.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  // 127.0.0.1 is a secure context: IndexedDB, Web Locks and Web Crypto are there without https.
  process.stdout.write(`ckpt browser demo: open http://127.0.0.1:${port}/ (Ctrl-C to stop)\n`)
})
