// Bundles ckpt's public entries as a browser bundler does (esbuild, platform 'browser', which honours the
// `browser` condition of package.json "exports" and "imports"). From src/, package.json's dist/ targets are
// mapped back to their sources, so the maps themselves are what is tested. Used by scripts/bundle-size.mjs
// and test/browser/.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

/** The conditions a browser bundler matches, in esbuild's order for platform 'browser' and ESM. */
const CONDITIONS = ['browser', 'import', 'module', 'default']

/** The target of a package.json "exports"/"imports" value under the browser conditions (null when none matches). */
const pick = (value) => {
  if (typeof value === 'string') return value
  if (value === null || typeof value !== 'object') return null
  for (const [condition, target] of Object.entries(value)) {
    if (CONDITIONS.includes(condition)) {
      const found = pick(target)
      if (found !== null) return found
    }
  }
  return null
}

/** `./dist/x.js` as the source file `src/x.ts` (absolute), or as the built file with `fromDist`. */
const local = (target, fromDist) => join(root, fromDist ? target : target.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts'))

/** The file a browser bundler takes for the package entry `name` (`ckpt`, `ckpt/tfjs`, ...). */
export const entryFile = (name, fromDist = false) => {
  const subpath = name === 'ckpt' ? '.' : `./${name.slice('ckpt/'.length)}`
  const target = pick(pkg.exports[subpath])
  if (target === null) throw new Error(`package.json exports has no browser target for ${subpath}`)
  return local(target, fromDist)
}

/** Resolves `#...` imports through package.json "imports" under the browser conditions, onto the sources. */
export const packageImports = (fromDist = false) => ({
  name: 'ckpt-package-imports',
  setup(b) {
    b.onResolve({ filter: /^#/ }, ({ path }) => {
      for (const [key, value] of Object.entries(pkg.imports)) {
        const star = key.indexOf('*')
        const matched = star < 0 ? (path === key ? '' : null) : path.startsWith(key.slice(0, star)) ? path.slice(star) : null
        if (matched === null) continue
        const target = pick(value)
        if (target === null || !target.startsWith('./')) return undefined // a package (fp-ts, io-ts): esbuild resolves it
        return { path: local(target.replace('*', matched), fromDist) }
      }
      return undefined
    })
  },
})

/** Optional peers a user's app brings itself: left out of the measured bundle. */
export const PEERS = ['@tensorflow/*', '@aws-sdk/*', 'fast-check']

/**
 * Bundles `contents` (an ES module importing our files) for browsers. `external` defaults to the peers and h5wasm;
 * with `splitting`, dynamic imports become chunks of their own. Resolves to esbuild's result (outputs in memory).
 */
export const bundleForBrowser = ({
  contents,
  external = [...PEERS, 'h5wasm'],
  splitting = false,
  minify = true,
  format = 'esm',
  fromDist = false,
}) =>
  build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    minify,
    format,
    platform: 'browser',
    splitting,
    ...(splitting ? { outdir: join(root, '.bundle-out') } : {}),
    external,
    plugins: [packageImports(fromDist)],
    // dist/ is plain JavaScript: the repository's tsconfig "paths" (Node's side, for tsc and tsx) must not apply to it.
    tsconfigRaw: '{}',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })

/**
 * What a page loads up front for the package entries `names`, and what it loads later: the entries bundled
 * together with code splitting (minified ESM, the peers external, h5wasm a chunk of its own), then the entry
 * chunk plus every chunk it imports statically, transitively (the metafile's `import-statement` imports), as
 * `upFront`; every other chunk, fetched only by a dynamic `import()` (a Keras call, an export, ...), as `lazy`; and
 * each module a dynamic `import()` loads, with the bytes its first import fetches (its chunk and the lazy chunks that
 * imports statically; chunks shared with another such module count for each), as `lazyEntries`.
 * Sizes are the minified bytes esbuild writes; `inputs` are the source files of each chunk.
 */
export const splitBundle = async (names, fromDist = false) => {
  const contents = names.map((name, i) => `export * as e${i} from ${JSON.stringify(entryFile(name, fromDist))}`).join('\n')
  const { metafile } = await bundleForBrowser({ contents, splitting: true, external: PEERS, fromDist })
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.js'))
  const chunk = ([path, o]) => ({ file: path.split('/').pop(), bytes: o.bytes, inputs: Object.keys(o.inputs) })
  const entry = outputs.find(([, o]) => o.entryPoint === 'entry.mjs')
  const upFront = new Set()
  const visit = (path) => {
    if (upFront.has(path)) return
    upFront.add(path)
    for (const i of metafile.outputs[path].imports) if (i.kind === 'import-statement' && i.path in metafile.outputs) visit(i.path)
  }
  visit(entry[0])
  const first = outputs.filter(([path]) => upFront.has(path)).map(chunk)
  const lazy = outputs.filter(([path]) => !upFront.has(path)).map(chunk)
  // Each dynamic import's target, and what its first import fetches: its chunk and the lazy chunks it imports statically.
  const fetches = (path, seen = new Set()) => {
    if (seen.has(path) || upFront.has(path)) return seen
    seen.add(path)
    for (const i of metafile.outputs[path].imports) if (i.kind === 'import-statement' && i.path in metafile.outputs) fetches(i.path, seen)
    return seen
  }
  const lazyEntries = outputs
    .filter(([path, o]) => !upFront.has(path) && o.entryPoint !== undefined)
    .map(([path, o]) => ({ module: o.entryPoint, bytes: [...fetches(path)].reduce((n, p) => n + metafile.outputs[p].bytes, 0) }))
  return { metafile, entry: entry[0], upFront: first, upFrontBytes: first.reduce((n, c) => n + c.bytes, 0), lazy, lazyEntries }
}
