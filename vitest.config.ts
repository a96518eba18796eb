import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  // Docs examples import the package by its public names; tests run them against the sources.
  resolve: {
    alias: [
      { find: /^ckpt$/, replacement: src('index.ts') },
      { find: /^ckpt\/storage$/, replacement: src('storage/index.ts') },
      { find: /^ckpt\/storage\/(fs|memory|s3|indexeddb|opfs)$/, replacement: src('storage/$1.ts') },
      { find: /^ckpt\/testing$/, replacement: src('testing/index.ts') },
      { find: /^ckpt\/tfjs$/, replacement: src('adapters/tfjs/index.ts') },
      // package.json's "imports" point into dist/; tests run Node's side from the sources.
      { find: /^#platform\/(.*)\.js$/, replacement: src('platform/node/$1.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // vitest's default, one fork fewer than the CPUs, is a single fork on a 2-core CI machine; many files spend
    // their time waiting on a child (Python, an S3 server, Chromium), so two forks there nearly halve the run.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One pool of Python Keras servers for the whole run (the interop suites' oracle), started at its first use.
    globalSetup: ['test/keras/support/keras-pool.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
})
