import { randomBytes } from 'node:crypto'
import { statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3Storage } from '../../src/storage/s3.js'
import type { Storage } from '../../src/storage/storage.js'
import { startCountingProxy } from '../support/counting-proxy.js'
import { startS3rver, storageOptions, type S3Server } from './servers.js'

// An S3 object past 4 GiB (the longest buffer Node makes, and 2^32 as an offset): written from a stream, then read
// back with readStream whole and in ranges past 2^32, every byte checked; a whole `read` is refused as Unsupported
// once the first reply tells the size. s3rver keeps objects as files and serves ranges from them, so the 4 GiB
// object costs disk (about twice its size while the upload completes) rather than server memory. Run with CKPT_HUGE=1.
const MiB = 2 ** 20
const SIZE = 2 ** 32 + 5 * MiB + 3
const DISK = 10e9

const whyNot = (): string | null => {
  if (process.env['CKPT_HUGE'] !== '1') return 'set CKPT_HUGE=1 to run it (about 10 GB of disk, a few minutes)'
  const fs = statfsSync(tmpdir())
  const free = fs.bavail * fs.bsize
  return free < DISK ? `${tmpdir()} has ${(free / 1e9).toFixed(1)} GB free; the test needs ${DISK / 1e9} GB` : null
}
const reason = whyNot()
if (reason !== null) console.log(`skipping the S3 object over 4 GiB: ${reason}`)

/** The object's bytes: blocks of one random 16 MiB pattern, each starting with its block number (so a misplaced block shows). */
const BLOCK = 16 * MiB
const pattern = new Uint8Array(randomBytes(BLOCK))
const marker = (block: number): Uint8Array => {
  const m = new Uint8Array(8)
  new DataView(m.buffer).setBigUint64(0, BigInt(block) + 1n)
  return m
}
async function* source(): AsyncGenerator<Uint8Array> {
  for (let at = 0, block = 0; at < SIZE; at += BLOCK, block++) {
    const chunk = pattern.slice(0, Math.min(BLOCK, SIZE - at)) // a new buffer each time: parts in flight are views of it
    chunk.set(marker(block).subarray(0, chunk.byteLength))
    yield chunk
  }
}

/** Checks chunks against the object's bytes from `offset` on (memcmp, segment by segment); `at` is where they end. */
const checker = (offset: number) => {
  let at = offset
  return {
    check: (chunk: Uint8Array): void => {
      for (let used = 0; used < chunk.byteLength;) {
        const block = Math.floor(at / BLOCK)
        const inBlock = at - block * BLOCK
        const n = Math.min(chunk.byteLength - used, BLOCK - inBlock)
        const want = Buffer.from(pattern.subarray(inBlock, inBlock + n))
        if (inBlock < 8) want.set(marker(block).subarray(inBlock, Math.min(8, inBlock + n)))
        if (!want.equals(chunk.subarray(used, used + n))) throw new Error(`bytes differ in ${at}..${at + n}`)
        used += n
        at += n
      }
    },
    get at() {
      return at
    },
  }
}

describe.skipIf(reason !== null)(`an S3 object of ${SIZE} bytes (past 4 GiB) on s3rver`, { timeout: 1_800_000 }, () => {
  let server: S3Server
  let storage: Storage
  let prefix = ''
  beforeAll(async () => {
    server = await startS3rver()
    const options = storageOptions(server, { partSize: 64 * MiB })
    prefix = options.prefix!
    storage = s3Storage(options)
  }, 60_000)
  afterAll(async () => {
    await storage?.close()
    await server?.stop()
  })

  it('is written from a stream in parts, and stat tells its size', async () => {
    const t0 = performance.now()
    expect((await storage.write('big.bin', source())).size).toBe(SIZE)
    console.log(`write of ${SIZE} bytes: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    expect((await storage.stat('big.bin'))?.size).toBe(SIZE)
  })

  it('readStream gives every byte in order', async () => {
    const t0 = performance.now()
    const c = checker(0)
    for await (const chunk of await storage.readStream('big.bin')) c.check(chunk)
    expect(c.at).toBe(SIZE)
    console.log(`readStream of ${SIZE} bytes: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  })

  it('reads ranges across and past 2^32 with read and readStream', async () => {
    for (const range of [
      { start: 2 ** 32 - 10, end: 2 ** 32 + 10 },
      { start: 2 ** 32 + 3, end: SIZE + 100 },
      { start: 2 ** 32 - 70 * MiB - 1, end: 2 ** 32 + 70 * MiB },
    ]) {
      const c = checker(range.start)
      c.check(await storage.read('big.bin', range))
      expect(c.at, `read ${JSON.stringify(range)}`).toBe(Math.min(range.end, SIZE))
      const s = checker(range.start)
      for await (const chunk of await storage.readStream('big.bin', range)) s.check(chunk)
      expect(s.at, `readStream ${JSON.stringify(range)}`).toBe(Math.min(range.end, SIZE))
    }
  })

  it('refuses a whole read as Unsupported, pointing to readStream, once the first reply tells the size', async () => {
    const proxy = await startCountingProxy(server.endpoint)
    try {
      const viaProxy = s3Storage({ ...storageOptions(server, { partSize: 64 * MiB }), prefix, endpoint: proxy.endpoint })
      await expect(viaProxy.read('big.bin')).rejects.toMatchObject({
        _tag: 'Unsupported',
        message: expect.stringContaining('readStream') as unknown,
      })
      expect(proxy.getBytes, 'at most the first part was fetched').toBeLessThanOrEqual(64 * MiB)
    } finally {
      await proxy.stop()
    }
  })
})
