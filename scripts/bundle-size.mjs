#!/usr/bin/env node
// Bundle size of ckpt's public entries as a user's bundler sees them (issue #9 item 6).
// esbuild --bundle --minify --format=esm --platform=node, with the optional peers external;
// prints minified (and gzipped) KB per entry and for both entries in one bundle, and how much
// of each bundle is fp-ts / io-ts.
//
//   node scripts/bundle-size.mjs          # bundles src/ (no build needed)
//   node scripts/bundle-size.mjs --dist   # bundles the built dist/ (run `npm run build` first)
//   node scripts/bundle-size.mjs --json   # machine-readable
import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

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
const measure = async (contents) => {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    external,
    write: false,
    metafile: true,
    logLevel: 'error',
  })
  const code = result.outputFiles[0].contents
  const inputs = Object.values(result.metafile.outputs)[0].inputs
  const by = (prefix) =>
    Object.entries(inputs)
      .filter(([path]) => path.includes(`node_modules/${prefix}/`))
      .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0)
  return { bytes: code.length, gzip: gzipSync(code).length, fpTs: by('fp-ts'), ioTs: by('io-ts') }
}

const spec = (file) => `./${relative(root, join(root, file))}`
const rows = {}
for (const [name, file] of Object.entries(entries)) rows[name] = await measure(`export * from '${spec(file)}'`)
rows['ckpt + ckpt/tfjs'] = await measure(
  Object.entries(entries)
    .map(([name, file], i) => `export * as e${i} from '${spec(file)}' // ${name}`)
    .join('\n'),
)

if (args.has('--json')) {
  console.log(JSON.stringify({ from: base, external, rows }, null, 2))
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9)
  console.log(`esbuild --bundle --minify --format=esm --platform=node, from ${base}/, external: ${external.join(' ')}`)
  console.log(`${'entry'.padEnd(18)} ${'minified'.padStart(9)} ${'gzip'.padStart(9)} ${'fp-ts'.padStart(9)} ${'io-ts'.padStart(9)}`)
  for (const [name, r] of Object.entries(rows)) {
    console.log(`${name.padEnd(18)} ${kb(r.bytes)} ${kb(r.gzip)} ${kb(r.fpTs)} ${kb(r.ioTs)}`)
  }
}
