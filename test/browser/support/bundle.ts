import { build, type Plugin } from 'esbuild'
// @ts-expect-error -- a plain .mjs helper shared with scripts/bundle-size.mjs, untyped
import * as untyped from '../../../scripts/browser-bundle.mjs'

const { entryFile, packageImports } = untyped as {
  entryFile: (name: string) => string
  packageImports: (fromDist?: boolean) => Plugin
}

/** `ckpt/...` names as a browser bundler resolves them from package.json (the `browser` conditions), onto the sources. */
const ckptEntries: Plugin = {
  name: 'ckpt-entries',
  setup(b) {
    b.onResolve({ filter: /^ckpt(\/|$)/ }, ({ path }) => ({ path: entryFile(path) }))
  },
}

/** Node built-ins have no place in a page: the bundle fails, naming the importer. */
const noNode: Plugin = {
  name: 'no-node-built-ins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} in a page bundle (imported by ${args.importer}): the browser build must not need it` }],
    }))
  },
}

/**
 * Bundles a page's TypeScript entry for Chromium with esbuild, in this process: one ESM file, `ckpt/*` names and
 * `#platform/*` imports resolved under the browser conditions, as a user's bundler does; Node built-ins refused.
 * `external` imports are left as they are (a dynamic `import('h5wasm')` then fails only if a page reaches it).
 */
export const bundleForPage = async (entry: string, external: ReadonlyArray<string> = []): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    // The repository's tsconfig "paths" send `#platform/*` to Node's side, for tsc and tsx: not for a page.
    tsconfigRaw: '{}',
    plugins: [ckptEntries, packageImports(false), noNode],
    external: [...external],
  })
  return result.outputFiles[0]!.text
}
