import { build } from 'esbuild'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Inside the repo, so the bundle's external packages resolve from node_modules.
const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/ckpt-test/', import.meta.url))

/**
 * Bundles a TypeScript entry into one ESM file for child processes that must start fast
 * (a tsx-loaded child takes seconds to start on a busy machine; a bundle starts in tens of ms).
 */
export const bundleForChild = async (entry: string): Promise<string> => {
  mkdirSync(cacheDir, { recursive: true })
  const outfile = join(mkdtempSync(join(cacheDir, 'bundle-')), 'child.mjs')
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    packages: 'external',
    conditions: ['node'],
    logLevel: 'silent',
  })
  return outfile
}
