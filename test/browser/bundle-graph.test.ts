import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs helper shared with scripts/bundle-size.mjs, untyped
import { bundleForBrowser, entryFile, root } from '../../scripts/browser-bundle.mjs'

interface Metafile {
  readonly inputs: Record<string, unknown>
  readonly outputs: Record<string, { readonly bytes: number; readonly entryPoint?: string; readonly inputs: Record<string, unknown> }>
}
type Bundle = (options: { contents: string; splitting?: boolean; external?: string[] }) => Promise<{ metafile: Metafile }>
const bundle = bundleForBrowser as Bundle
const fileOf = entryFile as (name: string) => string

// The package entries a browser app imports, as esbuild resolves them with platform 'browser' (the `browser`
// conditions of package.json). src/storage/indexeddb.ts is measured too once it exists.
const ENTRIES = ['ckpt', 'ckpt/tfjs', 'ckpt/storage/memory']
const BUDGET_ENTRIES = [
  'ckpt',
  'ckpt/tfjs',
  ...(existsSync(join(root as string, 'src/storage/indexeddb.ts')) ? ['ckpt/storage/indexeddb'] : []),
]
/** Issue 13's budget. Not met yet: the Keras layer (about 64 KB) is still in the entry chunk, not loaded lazily. */
const BUDGET_BYTES = 150 * 1024
/** What the bundle may not grow past meanwhile: its size when the Node built-ins left the graph (244 KB), and a little. */
const CEILING_BYTES = 250 * 1024

const importOf = (name: string) => `export * from ${JSON.stringify(fileOf(name))}`

/** Inputs of a bundle a browser cannot run, or should not carry: Node built-ins and memfs. */
const nodeOnly = (inputs: ReadonlyArray<string>) =>
  inputs.filter((i) => i.startsWith('node:') || /(^|\/)node_modules\/(memfs|@jsonjoy\.com)\//.test(i))

describe('the browser bundle of each entry (esbuild, platform browser)', () => {
  for (const name of ENTRIES) {
    it(`${name}: bundles with no Node built-in and no memfs in its graph`, async () => {
      const { metafile } = await bundle({ contents: importOf(name) })
      const inputs = Object.keys(metafile.inputs)
      expect(inputs.length).toBeGreaterThan(0)
      expect(nodeOnly(inputs)).toEqual([])
    })
  }

  it('ckpt/storage/memory resolves to the Map driver in browsers (and to memfs in Node)', async () => {
    const { metafile } = await bundle({ contents: importOf('ckpt/storage/memory') })
    const inputs = Object.keys(metafile.inputs)
    expect(inputs.some((i) => i.endsWith('src/storage/map-driver.ts'))).toBe(true)
    expect(inputs.some((i) => i.endsWith('src/storage/fs/driver.ts'))).toBe(false)
  })

  it('ckpt/tfjs with code splitting: h5wasm is a chunk of its own, loaded only by a dynamic import (a Keras call)', async () => {
    const { metafile } = await bundle({ contents: importOf('ckpt/tfjs'), splitting: true, external: ['@tensorflow/*'] })
    const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.js'))
    const withH5wasm = outputs.filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node_modules/h5wasm/')))
    expect(withH5wasm.length).toBeGreaterThan(0)
    const entry = outputs.find(([, o]) => o.entryPoint === 'entry.mjs')!
    for (const [path, o] of withH5wasm) {
      expect(path).not.toBe(entry[0])
      expect(Object.keys(o.inputs).some((i) => i.startsWith('src/'))).toBe(false) // h5wasm alone, none of ckpt's code
    }
    // The entry chunk reaches h5wasm only through a dynamic import (src/keras/h5.ts, at the first Keras call).
    const imports = (metafile.outputs[entry[0]] as unknown as { imports: Array<{ path: string; kind: string }> }).imports
    for (const [path] of withH5wasm) expect(imports.filter((i) => i.path === path).map((i) => i.kind)).toEqual(['dynamic-import'])
    const sizes = withH5wasm.map(([path, o]) => `${path.split('/').pop()}: ${(o.bytes / 1024).toFixed(0)} KB`)
    console.log(`h5wasm chunk(s): ${sizes.join(', ')}`)
  })

  it(`${BUDGET_ENTRIES.join(' + ')}: one minified bundle within ${CEILING_BYTES / 1024} KB (tfjs, h5wasm and the AWS SDK external)`, async () => {
    const contents = BUDGET_ENTRIES.map((name, i) => `export * as e${i} from ${JSON.stringify(fileOf(name))}`).join('\n')
    const { metafile } = await bundle({ contents })
    const bytes = Object.values(metafile.outputs).reduce((n, o) => n + o.bytes, 0)
    const over = bytes - BUDGET_BYTES
    console.log(
      `browser bundle of ${BUDGET_ENTRIES.join(' + ')}: ${(bytes / 1024).toFixed(1)} KB minified; ` +
        `issue 13's budget ${BUDGET_BYTES / 1024} KB ${over > 0 ? `is not met (${(over / 1024).toFixed(1)} KB over)` : 'holds'}`,
    )
    expect(bytes).toBeLessThanOrEqual(CEILING_BYTES)
  })
})
