/**
 * The page of test/browser/web-hasher.test.ts: the browser build's block hasher (Web Crypto, one join buffer reused
 * by every call) against `crypto.subtle.digest` of each block's own copy, hashed one at a time.
 */
import fc from 'fast-check'
import { blockDigester } from '../../../src/checkpointer/hashing/block-hasher.js'
import { WEB_BLOCK_BYTES, webHasher } from '../../../src/platform/web/web-hasher.js'
import { exposeTests, pageRunner } from '../support/runner.js'
import { cut } from '../../support/cut.js'

const { api, tests } = pageRunner()
const { describe, it, expect } = api

const hex = (b: ArrayBuffer | Uint8Array): string => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')

/** The oracle: each block copied out on its own and hashed, one after the other. */
const expectedList = async (bytes: Uint8Array, blockSize: number): Promise<string> => {
  let out = ''
  for (let at = 0; at === 0 || at < bytes.byteLength; at += blockSize)
    out += hex(await crypto.subtle.digest('SHA-256', bytes.slice(at, Math.min(at + blockSize, bytes.byteLength))))
  return out
}

const randomBytes = (n: number, shared: boolean): Uint8Array => {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n))
  const chunk = new Uint8Array(65536)
  for (let at = 0; at < n; at += chunk.byteLength)
    out.set(crypto.getRandomValues(chunk).subarray(0, Math.min(chunk.byteLength, n - at)), at)
  return out
}

describe('the web block hasher in Chromium', () => {
  it('cuts files into 512 KiB blocks', async () => {
    expect(webHasher().blockSize).toBe(512 * 1024)
    expect(WEB_BLOCK_BYTES).toBe(512 * 1024)
  })

  it('gives each block its SHA-256 for any size and chunking, many blocks in flight at once', async () => {
    const hasher = webHasher()
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * WEB_BLOCK_BYTES + 99 }),
        fc.constantFrom(4096, 65536, WEB_BLOCK_BYTES, 1 << 20, 3 << 20),
        fc.array(fc.nat(), { maxLength: 16 }),
        fc.boolean(),
        async (size, blockSize, cuts, shared) => {
          const bytes = randomBytes(size, shared)
          const d = blockDigester(hasher, blockSize)
          for (const c of cut(bytes, cuts)) void d.push(c)
          const { size: got, list } = await d.finish()
          expect(got).toBe(size)
          expect(hex(list)).toBe(await expectedList(bytes, blockSize))
        },
      ),
      { numRuns: 40 },
    )
  })

  it('has the bytes of a block when digest returns: changing the pieces then does not change its digest', async () => {
    const hasher = webHasher()
    const a = randomBytes(300_000, false)
    const b = randomBytes(200_000, false)
    const expected = hex(await crypto.subtle.digest('SHA-256', new Uint8Array([...a, ...b])))
    const pending = hasher.digest([a, b])
    a.fill(0)
    b.fill(0)
    // The next join is written into the same buffer before the first digest resolves.
    const next = hasher.digest([b, a])
    expect(hex(await pending)).toBe(expected)
    expect(hex(await next)).toBe(await expectedList(new Uint8Array(500_000), 1 << 20))
  })
})

exposeTests(tests)
