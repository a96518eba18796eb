import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** src/keras is the framework-free Keras file layer: no tfjs, nothing from the adapters (those import it). */

const root = join(import.meta.dirname, '..', '..', 'src', 'keras')
const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))

/** Every module specifier a file imports or re-exports, statically or with `import()`. */
const specifiers = (source: string): ReadonlyArray<string> => [
  ...[...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string),
  ...[...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string),
  ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string),
]

describe('src/keras import boundary', () => {
  it("finds the layer's sources and their imports", () => {
    expect(files).toContain('h5.ts')
    expect(new Set(specifiers(readFileSync(join(root, 'h5.ts'), 'utf8')))).toEqual(
      new Set([
        '#fp-ts/Either.js',
        '../storage/data.js',
        './errors.js',
        './failures.js',
        './h5-format.js',
        './h5-read.js',
        './h5-session.js',
        './h5-source.js',
        './h5-walk.js',
        './h5-write.js',
        './weights-file.js',
        'h5wasm',
      ]),
    )
  })

  it.each(files)('%s imports no @tensorflow package and nothing from src/adapters', (file) => {
    const imported = specifiers(readFileSync(join(root, file), 'utf8'))
    expect(imported.filter((s) => s.startsWith('@tensorflow/'))).toEqual([])
    expect(imported.filter((s) => /(^|\/)adapters(\/|$)/.test(s))).toEqual([])
  })
})
