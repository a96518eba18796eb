import { build, type Plugin } from 'esbuild'
import { fileURLToPath } from 'node:url'

const shim = (name: string) => fileURLToPath(new URL(`./node-shims/${name}.ts`, import.meta.url))

/** The Node built-ins `src/` still imports on main, each mapped to its test-only stand-in (node-shims/README.md). */
const SHIMMED: Readonly<Record<string, string>> = {
  'node:crypto': shim('crypto'),
  'node:buffer': shim('buffer'),
  // The checkpointer's and the tfjs adapter's graph (browser-tfjs's suites).
  'node:os': shim('os'),
  'node:worker_threads': shim('worker-threads'),
  'node:timers/promises': shim('timers-promises'),
  'node:zlib': shim('zlib'),
}

/** The shims above as an esbuild plugin, with `shimGlobals` to `inject` (the browser demo's build uses them too, for now). */
export const nodeShims: Plugin = {
  name: 'ckpt-test-node-shims',
  setup(b) {
    // The one module a browser build replaces (docs/architecture.md, "The block hasher"): Web Crypto, not worker threads.
    b.onResolve({ filter: /\/default-hasher\.js$/ }, () => ({ path: shim('default-hasher') }))
    b.onResolve({ filter: /^h5wasm$/ }, () => ({ path: shim('h5wasm') }))
    b.onResolve({ filter: /^node:/ }, (args) => {
      const path = SHIMMED[args.path]
      if (path !== undefined) return { path }
      return { errors: [{ text: `${args.path} has no browser stand-in: the page bundle (from ${args.importer}) must not need it` }] }
    })
  },
}

export const shimGlobals = shim('globals')

/**
 * Bundles a page's TypeScript entry for Chromium with esbuild, in this process: one ESM file, `ckpt/*` names
 * mapped to the sources, Node built-ins refused (but for the shims above).
 */
export const bundleForPage = async (entry: string): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [nodeShims],
    inject: [shimGlobals],
    alias: {
      ckpt: fileURLToPath(new URL('../../../src/index.ts', import.meta.url)),
      'ckpt/storage': fileURLToPath(new URL('../../../src/storage/index.ts', import.meta.url)),
      'ckpt/storage/indexeddb': fileURLToPath(new URL('../../../src/storage/indexeddb.ts', import.meta.url)),
      'ckpt/storage/opfs': fileURLToPath(new URL('../../../src/storage/opfs.ts', import.meta.url)),
      'ckpt/tfjs': fileURLToPath(new URL('../../../src/adapters/tfjs/index.ts', import.meta.url)),
      'ckpt/testing': fileURLToPath(new URL('../../../src/testing/index.ts', import.meta.url)),
    },
  })
  return result.outputFiles[0]!.text
}
