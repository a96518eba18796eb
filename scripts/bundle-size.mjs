#!/usr/bin/env node
// Bundle size of ckpt's public entries as a user's bundler sees them (issue #9 item 6, issue 13).
// esbuild --bundle --minify --format=esm, with the optional peers external, for Node (--platform=node) and for
// browsers (--platform=browser, through the `browser` conditions of package.json; see browser-bundle.mjs);
// prints minified (and gzipped) KB per entry and for the entries in one bundle, and how much of each bundle is
// fp-ts / io-ts. What a page loads up front for ckpt + ckpt/tfjs + ckpt/storage/indexeddb, with code splitting,
// is checked against issue 13's 150 KB budget; the lazily loaded chunks are listed.
//
//   node scripts/bundle-size.mjs          # bundles src/ (no build needed)
//   node scripts/bundle-size.mjs --dist   # bundles the built dist/ (run `npm run build` first)
//   node scripts/bundle-size.mjs --json   # machine-readable
import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { PEERS, bundleForBrowser, entryFile, splitBundle } from './browser-bundle.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const fromDist = args.has('--dist')
const base = fromDist ? 'dist' : 'src'
const ext = fromDist ? 'js' : 'ts'
const entries = { ckpt: `${base}/index.${ext}`, 'ckpt/tfjs': `${base}/adapters/tfjs/index.${ext}` }
for (const file of Object.values(entries)) {
  if (!existsSync(join(root, file))) throw new Error(`${file} is missing${fromDist ? ' (run npm run build)' : ''}`)
}

const external = ['@tensorflow/*', 'h5wasm', '@aws-sdk/*']

/** Bundles `contents` (an ES module importing our entries) and returns the minified output with what it holds. */
const sizes = (result) => {
  const code = result.outputFiles[0].contents
  const inputs = Object.values(result.metafile.outputs)[0].inputs
  const by = (prefix) =>
    Object.entries(inputs)
      .filter(([path]) => path.includes(`node_modules/${prefix}/`))
      .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0)
  return { bytes: code.length, gzip: gzipSync(code).length, fpTs: by('fp-ts'), ioTs: by('io-ts') }
}

const measure = async (contents) =>
  sizes(
    await build({
      stdin: { contents, resolveDir: root, sourcefile: 'entry.mjs', loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      external,
      write: false,
      metafile: true,
      logLevel: 'error',
      tsconfigRaw: fromDist ? '{}' : undefined,
    }),
  )

const spec = (file) => `./${relative(root, join(root, file))}`
const rows = {}
for (const [name, file] of Object.entries(entries)) rows[name] = await measure(`export * from '${spec(file)}'`)
rows['ckpt + ckpt/tfjs'] = await measure(
  Object.entries(entries)
    .map(([name, file], i) => `export * as e${i} from '${spec(file)}' // ${name}`)
    .join('\n'),
)

// Browsers: each entry alone, in one bundle; then the budget's entries with code splitting, as a page loads them:
// up front (the entry chunk and the chunks it imports statically) and lazily (chunks only a dynamic import fetches).
const BUDGET = 150 * 1024
const browserEntries = ['ckpt', 'ckpt/tfjs', 'ckpt/storage/indexeddb']
const browserRows = {}
const browserImport = (name) => JSON.stringify(entryFile(name, fromDist))
for (const name of [...browserEntries, 'ckpt/storage/memory'])
  browserRows[name] = sizes(await bundleForBrowser({ contents: `export * from ${browserImport(name)}`, fromDist }))
const budgetRow = browserEntries.join(' + ')
const split = await splitBundle(browserEntries, fromDist)
const chunkRow = (c) => ({ file: c.file, bytes: c.bytes, files: c.inputs.filter((i) => i.startsWith(`${base}/`)).length })

if (args.has('--json')) {
  const browser = {
    rows: browserRows,
    budget: BUDGET,
    measured: budgetRow,
    upFront: split.upFrontBytes,
    upFrontChunks: split.upFront.map(chunkRow),
    lazy: split.lazy.map(chunkRow),
    lazyEntries: split.lazyEntries,
  }
  console.log(JSON.stringify({ from: base, external, rows, browser }, null, 2))
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9)
  console.log(`esbuild --bundle --minify --format=esm --platform=node, from ${base}/, external: ${external.join(' ')}`)
  console.log(`${'entry'.padEnd(18)} ${'minified'.padStart(9)} ${'gzip'.padStart(9)} ${'fp-ts'.padStart(9)} ${'io-ts'.padStart(9)}`)
  for (const [name, r] of Object.entries(rows)) {
    console.log(`${name.padEnd(18)} ${kb(r.bytes)} ${kb(r.gzip)} ${kb(r.fpTs)} ${kb(r.ioTs)}`)
  }
  console.log(`\nesbuild --bundle --minify --format=esm --platform=browser, from ${base}/, external: ${[...PEERS, 'h5wasm'].join(' ')}`)
  for (const [name, r] of Object.entries(browserRows)) {
    console.log(`${name.padEnd(18)} ${kb(r.bytes)} ${kb(r.gzip)} ${kb(r.fpTs)} ${kb(r.ioTs)}`)
  }
  console.log(`\n${budgetRow} with --splitting (h5wasm bundled, in a chunk of its own):`)
  console.log(`up front ${kb(split.upFrontBytes).trim()} in ${split.upFront.length} chunk(s)`)
  for (const c of split.lazy.map(chunkRow)) console.log(`  lazy ${c.file.padEnd(28)} ${kb(c.bytes)}  (${c.files} files of ckpt)`)
  console.log('what the first import of each lazily loaded module fetches (its chunk and the lazy chunks it imports):')
  for (const e of split.lazyEntries) console.log(`  ${e.module.replace(/^.*node_modules\//, '').padEnd(46)} ${kb(e.bytes)}`)
  const measured = split.upFrontBytes
  console.log(
    `budget: ${budgetRow} up front ${kb(measured).trim()} of ${kb(BUDGET).trim()}: ${measured <= BUDGET ? 'holds' : `over by ${kb(measured - BUDGET).trim()}`}`,
  )
}
