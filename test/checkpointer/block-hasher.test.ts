// The block hashers (node:crypto on worker threads and this thread; Web Crypto) give every block's SHA-256, whatever
// the pieces a block comes in and however many are asked for at once.
import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blockDigester, digestBlocks, type BlockHasher } from '../../src/checkpointer/hashing/block-hasher.js'
import { nodeHasher } from '../../src/platform/node/node-hasher.js'
import { webHasher } from '../../src/platform/web/web-hasher.js'
import { cut } from '../support/cut.js'

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

/** The block list of `bytes` by node:crypto, one block at a time: the oracle. */
const expectedList = (bytes: Uint8Array, blockSize: number): Buffer => {
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.byteLength || at === 0; at += blockSize) {
    parts.push(sha(bytes.subarray(at, Math.min(at + blockSize, bytes.byteLength))))
    if (bytes.byteLength === 0) break
  }
  return Buffer.concat(parts)
}

const hashers: Array<[string, BlockHasher]> = [
  ['node, one worker', nodeHasher(1)],
  ['node, three workers', nodeHasher(3)],
  ['node, this thread only', nodeHasher(0)],
  ['Web Crypto', webHasher()],
]

describe.each(hashers)('%s', (_, hasher) => {
  it('gives the SHA-256 of each block, for chunks cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * 65536 + 7 }),
        fc.constantFrom(4096, 65536, 1 << 20),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (size, blockSize, cuts) => {
          const bytes = new Uint8Array(randomBytes(size))
          const d = blockDigester(hasher, blockSize)
          for (const c of cut(bytes, cuts)) void d.push(c)
          const { size: got, list } = await d.finish()
          expect(got).toBe(size)
          expect(Buffer.from(list).equals(expectedList(bytes, blockSize))).toBe(true)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('hashes many full-size blocks at once, each to its own digest (the worker slots are reused)', async () => {
    const bytes = new Uint8Array(randomBytes(40 << 20))
    const list = await digestBlocks(hasher, [bytes], 1 << 20)
    expect(Buffer.from(list).equals(expectedList(bytes, 1 << 20))).toBe(true)
  })

  it('hashes blocks on shared memory (tensors may view a SharedArrayBuffer, which Web Crypto refuses to digest)', async () => {
    const bytes = new Uint8Array(new SharedArrayBuffer(3 << 20))
    bytes.set(randomBytes(bytes.byteLength))
    const list = await digestBlocks(hasher, [bytes], 1 << 20)
    expect(Buffer.from(list).equals(expectedList(bytes, 1 << 20))).toBe(true)
  })

  it('hashes a block larger than a worker slot (64 MiB blocks, as an index may record)', async () => {
    const bytes = new Uint8Array(randomBytes(3 << 20))
    expect(Buffer.from(await hasher.digest([bytes.subarray(0, 1), bytes.subarray(1)])).equals(sha(bytes))).toBe(true)
  })
})

describe('a reader held back by hashing', () => {
  it('push resolves once the bytes not yet hashed are under the bound', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    const slow: BlockHasher = { blockSize: 4096, digest: async (pieces) => (await gate, sha(Buffer.concat(pieces))) }
    const d = blockDigester(slow, 4096, 8192)
    expect(d.push(new Uint8Array(4096))).toBeUndefined()
    const held = d.push(new Uint8Array(4096))
    expect(held).toBeInstanceOf(Promise)
    let done = false
    void held!.then(() => (done = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(done).toBe(false)
    release()
    await held
    expect((await d.finish()).list.byteLength).toBe(64)
  })
})
