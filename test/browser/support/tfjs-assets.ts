import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Served } from './server.js'

/** tfjs-backend-wasm's binaries (`dist/*.wasm`), served under `prefix` for `useBackend('wasm', { wasmPaths: prefix })`. */
export const wasmAssets = (prefix = '/wasm/'): ReadonlyMap<string, Served> => {
  const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))
  const files = readdirSync(join(dist, 'dist')).filter((f) => f.endsWith('.wasm'))
  return new Map(files.map((f) => [`${prefix}${f}`, { type: 'application/wasm', body: readFileSync(join(dist, 'dist', f)) }]))
}
