import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { TFJS_RANGE } from '../../src/adapters/tfjs/peers.js'

// The install hints of useBackend and ckpt/tfjs quote this range: it must be package.json's for every tfjs peer.
describe('the tfjs peer range the install hints quote', () => {
  it("is package.json's peerDependencies range of each @tensorflow package, each an optional peer", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      peerDependencies: Record<string, string>
      peerDependenciesMeta: Record<string, { optional?: boolean }>
    }
    const tfjs = Object.keys(pkg.peerDependencies).filter((n) => n.startsWith('@tensorflow/'))
    expect(tfjs.sort()).toEqual(
      ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'].sort(),
    )
    for (const name of tfjs) {
      expect(pkg.peerDependencies[name], name).toBe(TFJS_RANGE)
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true)
    }
  })
})
