import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type * as NodeBlockHasher from '../../src/platform/node/block-hasher.js'
import type * as NodeBytes from '../../src/platform/node/bytes.js'
import type * as NodeCrc32 from '../../src/platform/node/crc32.js'
import type * as NodeHost from '../../src/platform/node/host.js'
import type * as NodeInflate from '../../src/platform/node/inflate.js'
import type * as NodeNextTurn from '../../src/platform/node/next-turn.js'
import type * as NodeSha256 from '../../src/platform/node/sha256.js'
import type * as WebBlockHasher from '../../src/platform/web/block-hasher.js'
import type * as WebBytes from '../../src/platform/web/bytes.js'
import type * as WebCrc32 from '../../src/platform/web/crc32.js'
import type * as WebHost from '../../src/platform/web/host.js'
import type * as WebInflate from '../../src/platform/web/inflate.js'
import type * as WebNextTurn from '../../src/platform/web/next-turn.js'
import type * as WebSha256 from '../../src/platform/web/sha256.js'

// Each `#platform/<file>.js` resolves to src/platform/node/<file> in Node and to src/platform/web/<file> in browsers:
// both must exist and export the same names with the same types (tsc checks these, `npm test` runs tsc).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameTypes: [
  Same<typeof NodeBlockHasher, typeof WebBlockHasher>,
  Same<typeof NodeBytes, typeof WebBytes>,
  Same<typeof NodeCrc32, typeof WebCrc32>,
  Same<typeof NodeHost, typeof WebHost>,
  Same<typeof NodeInflate, typeof WebInflate>,
  Same<typeof NodeNextTurn, typeof WebNextTurn>,
  Same<typeof NodeSha256, typeof WebSha256>,
] = [true, true, true, true, true, true, true]

const src = fileURLToPath(new URL('../../src/', import.meta.url))
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  )

describe('the two sides of #platform/*', () => {
  it('every #platform/<file>.js imported in src/ exists on both sides, with the same exported names', async () => {
    const used = new Set(
      files(src).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/from '#platform\/([\w-]+)\.js'/g)].map((m) => m[1]!)),
    )
    expect([...used].sort()).toEqual(['block-hasher', 'bytes', 'crc32', 'host', 'inflate', 'next-turn', 'sha256'])
    expect(sameTypes.every(Boolean)).toBe(true)
    for (const name of used) {
      const node = (await import(join(src, 'platform/node', `${name}.ts`))) as object
      const web = (await import(join(src, 'platform/web', `${name}.ts`))) as object
      expect(Object.keys(web).sort(), name).toEqual(Object.keys(node).sort())
    }
  })
})
